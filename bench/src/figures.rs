//! The figures a run measures, and the child runs that measure one group alone.

use crate::failure::Failure;

/// Named figures in the order they were measured.
#[derive(Default)]
pub(crate) struct Figures(Vec<(String, f64, &'static str)>);

impl Figures {
    pub(crate) fn add(&mut self, name: impl Into<String>, value: f64, unit: &'static str) {
        self.0.push((name.into(), value, unit));
    }

    /// A figure measured earlier in the run.
    pub(crate) fn get(&self, name: &str) -> Option<f64> {
        self.0
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| *v)
    }

    pub(crate) fn print(&self, json: bool) {
        if json {
            let map: serde_json::Map<String, serde_json::Value> = self
                .0
                .iter()
                .map(|(n, v, _)| {
                    (
                        n.to_string(),
                        serde_json::json!((v * 1000.0).round() / 1000.0),
                    )
                })
                .collect();
            println!("{}", serde_json::Value::Object(map));
        } else {
            for (name, value, unit) in &self.0 {
                println!("{name:<40} {value:>14.1} {unit}");
            }
        }
    }
}

/// Runs `caseledger-bench --only GROUP` in a fresh process with `var` set to `value` (one
/// measurement, its memory alone) and returns the numbers it printed.
pub(crate) fn child_figures(
    group: &str,
    var: &str,
    value: impl AsRef<std::ffi::OsStr>,
) -> Result<Vec<f64>, Failure> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["--only", group])
        .env(var, value)
        .output()?;
    if !out.status.success() {
        return Err(anyhow::anyhow!(
            "{group} child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect())
}

/// The `p`th percentile of `xs` (nearest rank).
pub(crate) fn percentile(xs: &[f64], p: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[idx.min(v.len() - 1)]
}

/// The arithmetic mean of `xs` (0 for none).
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}
