// caseledger's GraphiQL page (serve --dev): GraphiQL, sending the bearer token typed above it.
// A file of its own because the page allows no inline script.
(function () {
  'use strict';
  var key = 'caseledger-bearer';
  var field = document.getElementById('bearer');
  field.value = sessionStorage.getItem(key) || '';
  field.addEventListener('input', function () {
    sessionStorage.setItem(key, field.value.trim());
  });

  function fetcher(params) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    var token = field.value.trim();
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    return fetch('/graphql', {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(params),
      credentials: 'omit',
    }).then(function (response) {
      return response.json();
    });
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();
