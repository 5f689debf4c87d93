//! Server-rendered SVG charts: a line chart (a state on each reference date) and a bar
//! chart (something counted over each quarter), with two series at most. No script and no
//! style attributes (the CSP forbids both): colours are SVG presentation attributes, and
//! the series differ in dash pattern and marker shape as well as colour, so that a chart
//! printed in black and white stays readable. A suppressed value ("< 5") is not drawn; the
//! chart writes "< 5" at its place on the axis. Every chart has a `<title>` and a
//! `<desc>` and `role="img"`; its numbers go into a table beside it (the template's).

use std::fmt::Write;

use kernteam_domain::suppression::Shown;

use crate::html_escape;

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Bar,
}

/// The value axis: from 0 to `max` in ticks of `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub max: f64,
    pub step: f64,
}

impl Scale {
    /// A scale from 0 that holds `largest` with 2 to 5 round ticks (1, 2, 2.5 or 5 times a
    /// power of ten); 0..1 when there is nothing to show or only zeros.
    pub fn for_values(largest: f64) -> Scale {
        if !largest.is_finite() || largest <= 0.0 {
            return Scale { max: 1.0, step: 0.5 };
        }
        let magnitude = 10f64.powf(largest.log10().floor());
        for factor in [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0] {
            let step = factor * magnitude;
            let ticks = (largest / step - 1e-9).ceil().max(1.0);
            if ticks <= 5.0 {
                return Scale {
                    max: step * ticks,
                    step,
                };
            }
        }
        Scale {
            max: 10.0 * magnitude,
            step: 2.0 * magnitude,
        }
    }

    /// Where `v` lies between the bottom (`y0`) and the top (`y1`) of the plot.
    pub fn y(&self, v: f64, y0: f64, y1: f64) -> f64 {
        let t = (v / self.max).clamp(0.0, 1.0);
        y0 + (y1 - y0) * t
    }

    /// The tick values from 0 to `max`.
    pub fn ticks(&self) -> Vec<f64> {
        let n = (self.max / self.step).round() as usize;
        (0..=n).map(|i| i as f64 * self.step).collect()
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 44.0;

/// The look of series 0 and 1: (colour, dash pattern, fill of bars).
const LOOKS: [(&str, &str, &str); 2] = [("#1f4e79", "", "#1f4e79"), ("#a34700", "6 4", "#ffffff")];

/// A tick label: `1.200`, `2,5`, `0,25`.
fn tick_label(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let decimals = if step >= 1.0 {
        0
    } else if step >= 0.1 - 1e-9 && (step * 10.0 - (step * 10.0).round()).abs() < 1e-9 {
        1
    } else {
        2
    };
    if decimals == 0 {
        Shown::Value(v).label(0)
    } else {
        format!("{v:.decimals$}").replace('.', ",")
    }
}

/// The chart as SVG. `id` makes the title and description ids unique on the page;
/// `labels` are the x-axis labels (quarters), `series` the (name, values) to draw.
pub fn svg(id: &str, title: &str, unit: &str, kind: Kind, labels: &[String], series: &[(&str, &[Shown])]) -> String {
    let largest = series
        .iter()
        .flat_map(|(_, v)| v.iter().filter_map(|s| s.plotted()))
        .fold(0.0, f64::max);
    let scale = Scale::for_values(largest);
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP);
    let n = labels.len().max(1) as f64;
    let band = (x1 - x0) / n;
    let centre = |i: usize| x0 + band * (i as f64 + 0.5);
    let id = html_escape(id);
    let mut s = String::new();
    let what = match kind {
        Kind::Line => "Lijngrafiek",
        Kind::Bar => "Staafgrafiek",
    };
    let names: Vec<String> = series.iter().map(|(n, _)| html_escape(n)).collect();
    let _ = write!(
        s,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{what} per kwartaal ({}), van {}. De cijfers staan in de tabel bij de grafiek.</desc>",
        html_escape(title),
        html_escape(unit),
        names.join(" en "),
    );
    // Grid and value axis.
    for t in scale.ticks() {
        let y = scale.y(t, y0, y1);
        let _ = write!(
            s,
            "<line x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{x1}\" y2=\"{y:.1}\" stroke=\"#c8c8c8\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            x0 - 6.0,
            y + 4.0,
            tick_label(t, scale.step)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#333\" stroke-width=\"1\"/>"
    );
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            centre(i),
            y0 + 18.0,
            html_escape(l)
        );
    }
    // Legend, above the plot.
    let mut lx = x0;
    for (k, name) in names.iter().enumerate().take(LOOKS.len()) {
        let (colour, dash, fill) = LOOKS[k];
        match kind {
            Kind::Line => {
                let _ = write!(
                    s,
                    "<line x1=\"{lx}\" y1=\"14\" x2=\"{:.1}\" y2=\"14\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{dash}\"/>",
                    lx + 28.0
                );
                marker(&mut s, k, lx + 14.0, 14.0);
            }
            Kind::Bar => {
                let _ = write!(
                    s,
                    "<rect x=\"{lx}\" y=\"8\" width=\"14\" height=\"12\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>"
                );
            }
        }
        let _ = write!(s, "<text x=\"{:.1}\" y=\"18\" fill=\"#111\">{name}</text>", lx + 34.0);
        lx += 34.0 + 7.0 * name.chars().count() as f64 + 24.0;
    }
    // The data.
    let groups = series.len().clamp(1, LOOKS.len()) as f64;
    let bar_width = band * 0.7 / groups;
    for (k, (_, values)) in series.iter().enumerate().take(LOOKS.len()) {
        let (colour, dash, fill) = LOOKS[k];
        match kind {
            Kind::Line => {
                let mut run: Vec<(f64, f64)> = Vec::new();
                let flush = |run: &mut Vec<(f64, f64)>, s: &mut String| {
                    if run.len() > 1 {
                        let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                        let _ = write!(
                            s,
                            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{dash}\"/>",
                            points.join(" ")
                        );
                    }
                    run.clear();
                };
                for (i, v) in values.iter().enumerate() {
                    match v.plotted() {
                        Some(v) => run.push((centre(i), scale.y(v, y0, y1))),
                        None => flush(&mut run, &mut s),
                    }
                }
                flush(&mut run, &mut s);
                for (i, v) in values.iter().enumerate() {
                    if let Some(v) = v.plotted() {
                        marker(&mut s, k, centre(i), scale.y(v, y0, y1));
                    }
                }
            }
            Kind::Bar => {
                for (i, v) in values.iter().enumerate() {
                    let x = centre(i) - bar_width * groups / 2.0 + bar_width * k as f64;
                    if let Some(v) = v.plotted() {
                        let top = scale.y(v, y0, y1);
                        let _ = write!(
                            s,
                            "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
                            bar_width - 2.0,
                            (y0 - top).max(0.0)
                        );
                    }
                }
            }
        }
        // Suppressed values: "< 5" at their place, just above the axis.
        for (i, v) in values.iter().enumerate() {
            if let Shown::Suppressed(_) = v {
                let x = match kind {
                    Kind::Line => centre(i),
                    Kind::Bar => centre(i) - bar_width * groups / 2.0 + bar_width * (k as f64 + 0.5),
                };
                let _ = write!(
                    s,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{colour}\">{}</text>",
                    y0 - 4.0 - 11.0 * k as f64,
                    html_escape(&v.label(0))
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// Series 0: a filled circle; series 1: an open square.
fn marker(s: &mut String, k: usize, x: f64, y: f64) {
    let (colour, _, _) = LOOKS[k.min(LOOKS.len() - 1)];
    if k == 0 {
        let _ = write!(s, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"/>");
    } else {
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            x - 3.5,
            y - 3.5
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_hold_the_largest_value_in_round_ticks() {
        let cases = [
            (0.0, 1.0, 0.5),
            (-3.0, 1.0, 0.5),
            (f64::NAN, 1.0, 0.5),
            (1.0, 1.0, 0.2),
            (4.0, 4.0, 1.0),
            (7.0, 8.0, 2.0),
            (10.0, 10.0, 2.0),
            (23.0, 25.0, 5.0),
            (88.0, 100.0, 20.0),
            (100.0, 100.0, 20.0),
            (2480.0, 2500.0, 500.0),
            (0.87, 1.0, 0.2),
            (1.25, 1.25, 0.25),
        ];
        for (largest, max, step) in cases {
            let s = Scale::for_values(largest);
            assert!(
                (s.max - max).abs() < 1e-9 && (s.step - step).abs() < 1e-9,
                "{largest}: {s:?}"
            );
            if largest > 0.0 {
                assert!(s.max >= largest);
                assert!(s.ticks().len() <= 6, "{largest}: {:?}", s.ticks());
            }
        }
    }

    #[test]
    fn values_map_onto_the_plot_and_stay_inside_it() {
        let s = Scale { max: 100.0, step: 25.0 };
        assert_eq!(s.y(0.0, 236.0, 40.0), 236.0);
        assert_eq!(s.y(100.0, 236.0, 40.0), 40.0);
        assert_eq!(s.y(50.0, 236.0, 40.0), 138.0);
        assert_eq!(s.y(250.0, 236.0, 40.0), 40.0);
        assert_eq!(s.y(-5.0, 236.0, 40.0), 236.0);
        assert_eq!(s.ticks(), [0.0, 25.0, 50.0, 75.0, 100.0]);
    }

    #[test]
    fn tick_labels_are_dutch() {
        assert_eq!(tick_label(2500.0, 500.0), "2.500");
        assert_eq!(tick_label(0.5, 0.5), "0,5");
        assert_eq!(tick_label(0.0, 0.5), "0");
        assert_eq!(tick_label(0.25, 0.25), "0,25");
    }

    #[test]
    fn a_chart_is_an_accessible_svg_that_skips_suppressed_values() {
        let labels = vec!["2026 K1".to_string(), "2026 K2".to_string(), "2026 K3".to_string()];
        let own = [Shown::Value(12.0), Shown::Suppressed(5), Shown::Value(14.0)];
        let median = [Shown::Value(10.0), Shown::Value(11.0), Shown::Missing];
        let line = svg(
            "f1",
            "Kwetsbare <ouderen>",
            "patiënten",
            Kind::Line,
            &labels,
            &[("De Linde", &own), ("Mediaan", &median)],
        );
        assert!(line.starts_with("<svg") && line.ends_with("</svg>"));
        assert!(line.contains("role=\"img\"") && line.contains("aria-labelledby=\"f1-t f1-d\""));
        assert!(line.contains("<title id=\"f1-t\">Kwetsbare &lt;ouderen&gt;</title>"));
        assert!(line.contains("&lt; 5"), "{line}");
        assert!(!line.contains("style="));
        // The suppressed quarter breaks the line: no polyline through it.
        assert_eq!(line.matches("<polyline").count(), 1, "{line}");
        let bars = svg("f2", "SEH", "verwijzingen", Kind::Bar, &labels, &[("Regio", &own)]);
        assert_eq!(bars.matches("<rect").count(), 1 + 2, "legend and two bars: {bars}");
    }
}
