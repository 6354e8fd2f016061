//! The view an HMIS CSV export is written from: the exporter's own view of client data, and
//! the directory its rows name records by. Nothing of a client reaches an export except
//! through the [`OrgView`]; the directory holds names and ids only.

use std::collections::HashMap;

use caseledger_core::sharing::Viewer;
use caseledger_core::{Date, OrganizationId, UserId};

use crate::view::OrgView;
use crate::{Catalog, OrganizationFacts, Projections, SourceKind, WriteModel};

/// What an export reads (see the module documentation).
pub struct ExportView<'a> {
    org: OrgView<'a>,
    model: WriteModel<'a>,
}

impl Projections {
    /// The export view of `viewer`: their [`OrgView`] and the directory.
    pub fn export_view(&self, viewer: Viewer) -> ExportView<'_> {
        ExportView {
            org: self.org_view(viewer),
            model: self.write_model(),
        }
    }
}

impl<'a> ExportView<'a> {
    /// The clients and records the exporter may see, as they may see them.
    pub fn org(&self) -> &OrgView<'a> {
        &self.org
    }

    /// The business date the view is evaluated on.
    pub fn today(&self) -> Date {
        self.org.today()
    }

    /// Programs, MOUs and facilities.
    pub fn catalog(&self) -> &'a Catalog {
        self.model.catalog()
    }

    /// An organization's name and kind, if it exists.
    pub fn organization(&self, id: OrganizationId) -> Option<&'a OrganizationFacts> {
        self.model.organization(id)
    }

    /// The CoC's HUD code, once set (`Export.SourceID` of the CoC's export).
    pub fn coc_code(&self) -> Option<&'a str> {
        self.model.coc_code()
    }

    /// Every organization, in id order.
    pub fn organizations(&self) -> Vec<(OrganizationId, OrganizationFacts)> {
        self.model.organizations()
    }

    /// The name a user is shown by (the author a row names).
    pub fn user_display_name(&self, id: UserId) -> Option<String> {
        self.model.user_display_name(id)
    }

    /// The ids records of `kind` were imported under, by caseledger id: an export writes
    /// them back so a round trip keeps the exporting system's ids. Ids only; a caller looks
    /// up the records its view shows.
    pub fn source_ids(&self, kind: SourceKind) -> HashMap<u128, String> {
        self.model.source_ids(kind)
    }
}
