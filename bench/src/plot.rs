//! `caseledger-bench plot-scale`: the SVG of BENCHMARKS.md's scale section — memory, cold start
//! and disk against clients — drawn from the printed output of `--only scale` runs, so the plot
//! is reproduced from saved runs without measuring again (a million clients take 17 minutes).

use std::collections::BTreeMap;
use std::path::PathBuf;

use plotters::prelude::*;

use crate::Failure;

/// Draw memory, cold start and disk against clients from saved `--only scale` outputs.
#[derive(Debug, clap::Args)]
pub(crate) struct PlotArgs {
    /// Outputs of `caseledger-bench --only scale` (the table or `--json`); where two files
    /// measured the same client count, the later file wins.
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// The SVG to write.
    #[arg(long, default_value = "scale.svg")]
    out: PathBuf,
}

/// One panel: which figure, its axis label, and the issue's target for it when it has one.
struct Panel {
    figure: &'static str,
    label: &'static str,
    target: Option<f64>,
}

const PANELS: [Panel; 3] = [
    Panel {
        figure: "rss_mib",
        label: "serving process RSS (MiB)",
        target: Some(1024.0),
    },
    Panel {
        figure: "cold_start_s",
        label: "cold start from snapshot (s)",
        target: Some(5.0),
    },
    Panel {
        figure: "disk_mib",
        label: "data directory (MiB)",
        target: None,
    },
];

/// `scale_{clients}_clients_{figure}` values found in the runs, by figure then client count.
type Measured = BTreeMap<String, BTreeMap<u64, f64>>;

/// Reads the runs and writes the plot.
pub(crate) fn run(args: PlotArgs) -> Result<(), Failure> {
    let mut measured = Measured::new();
    for path in &args.runs {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        collect(&text, &mut measured);
    }
    for panel in &PANELS {
        if measured.get(panel.figure).is_none_or(BTreeMap::is_empty) {
            return Err(anyhow::anyhow!(
                "no scale_N_clients_{} figure in the runs given (outputs of `--only scale`?)",
                panel.figure
            )
            .into());
        }
    }
    draw(&measured, &args.out)?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// Adds every `scale_N_clients_FIGURE value` of one output, table lines or one JSON object.
fn collect(text: &str, measured: &mut Measured) {
    let mut add = |name: &str, value: f64| {
        let Some(rest) = name.strip_prefix("scale_") else {
            return;
        };
        let Some((clients, figure)) = rest.split_once("_clients_") else {
            return;
        };
        if let Ok(clients) = clients.parse::<u64>() {
            measured
                .entry(figure.to_string())
                .or_default()
                .insert(clients, value);
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('{') {
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(line) {
                for (name, value) in map {
                    if let Some(v) = value.as_f64() {
                        add(&name, v);
                    }
                }
            }
            continue;
        }
        let mut words = line.split_whitespace();
        if let (Some(name), Some(value)) = (words.next(), words.next())
            && let Ok(v) = value.parse::<f64>()
        {
            add(name, v);
        }
    }
}

/// Three panels side by side, both axes logarithmic (growth in proportion to clients is a
/// straight line of slope one), each figure's target dashed.
fn draw(measured: &Measured, out: &std::path::Path) -> Result<(), Failure> {
    let plot_error = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing the plot: {e}");
    let root = SVGBackend::new(out, (1200, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(&e))?;
    let (title, body) = root.split_vertically(40);
    title
        .titled(
            "caseledger on one 2-core machine: generated CoCs by number of clients",
            ("sans-serif", 18),
        )
        .map_err(|e| plot_error(&e))?;
    for (panel, area) in PANELS.iter().zip(body.split_evenly((1, 3))) {
        let points: Vec<(f64, f64)> = measured[panel.figure]
            .iter()
            .map(|(&c, &v)| (c as f64, v))
            .collect();
        let x_min = points.first().map_or(1.0, |p| p.0) / 2.0;
        let x_max = points.last().map_or(10.0, |p| p.0) * 2.0;
        let ys = || points.iter().map(|p| p.1).chain(panel.target);
        let y_max = ys().fold(0.0, f64::max) * 2.0;
        let y_min = ys().fold(f64::INFINITY, f64::min) / 2.0;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((x_min..x_max).log_scale(), (y_min..y_max).log_scale())
            .map_err(|e| plot_error(&e))?;
        chart
            .configure_mesh()
            .x_desc("clients")
            .y_desc(panel.label)
            .x_label_formatter(&|x| short_count(*x))
            .y_label_formatter(&|y| {
                if *y >= 10.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y:.1}")
                }
            })
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| plot_error(&e))?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| plot_error(&e))?
            .label("measured")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))
            .map_err(|e| plot_error(&e))?;
        if let Some(target) = panel.target {
            chart
                .draw_series(DashedLineSeries::new(
                    [(x_min, target), (x_max, target)],
                    6,
                    4,
                    RED.stroke_width(1),
                ))
                .map_err(|e| plot_error(&e))?
                .label("target at 1,000,000 clients")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.9))
            .draw()
            .map_err(|e| plot_error(&e))?;
    }
    root.present().map_err(|e| plot_error(&e))?;
    Ok(())
}

/// 10000 as `10k`, 1000000 as `1M`.
fn short_count(x: f64) -> String {
    if x >= 1_000_000.0 {
        format!("{}M", (x / 1_000_000.0 * 10.0).round() / 10.0)
    } else {
        format!("{}k", (x / 1000.0).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_json_outputs_both_give_their_scale_figures_and_later_runs_win() {
        let mut m = Measured::new();
        collect(
            "bench: generating\nscale_10000_clients_rss_mib   263.0 MiB\nscale_100000_clients_rss_mib 1254.0 MiB\nreplay_events_per_s 5.0 events/s\n",
            &mut m,
        );
        collect(
            r#"{"scale_100000_clients_rss_mib": 1300.5, "other": 1}"#,
            &mut m,
        );
        assert_eq!(
            m["rss_mib"].iter().collect::<Vec<_>>(),
            vec![(&10_000, &263.0), (&100_000, &1300.5)]
        );
        assert_eq!(m.len(), 1);
    }
}
