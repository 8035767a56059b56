//! Charts for staff pages, drawn on the server as SVG with [`plotters`] (its SVG backend: no
//! JavaScript, no chart library downloaded by the browser, no fonts needed on the server).
//!
//! Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`, and the page
//! keeps the table it is drawn from below it: the table is the text alternative. Text in a chart
//! (labels, search words) is escaped by plotters' SVG writer; the title and description are
//! escaped here.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Brackenshire's palette for series, in order (GOV.UK Frontend colours; each has at least 3:1
/// contrast with white, as WCAG 1.4.11 asks of graphical objects).
const SERIES: [RGBColor; 6] = [
    RGBColor(0x0b, 0x5b, 0x60), // brand teal
    RGBColor(0x1d, 0x70, 0xb8), // blue
    RGBColor(0x91, 0x2b, 0x88), // purple
    RGBColor(0xd4, 0x35, 0x1c), // red
    RGBColor(0x50, 0x5a, 0x5f), // dark grey
    RGBColor(0x85, 0x4a, 0x00), // brown (darker than GOV.UK orange, for contrast)
];
const TEXT: RGBColor = RGBColor(0x0b, 0x0c, 0x0c);
const FONT: &str = "sans-serif";

/// What a chart is about, for people who cannot see it.
pub struct Label<'a> {
    /// Unique on its page: the ids of the `<title>` and `<desc>` start with it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

/// One named series of values, one value per category.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// A chart could not be drawn (never expected with in-memory SVG; the page then shows the table
/// alone).
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub struct ChartError(String);

fn fail(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Draws with `draw` on an SVG of `size`, then labels it for assistive technology and lets it
/// scale to its container.
fn svg(
    label: &Label,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        draw(&root)?;
        root.present().map_err(fail)?;
    }
    let open = out.find('>').ok_or_else(|| fail("no <svg> element"))?;
    let id = escape(label.id);
    let head = format!(
        r#" role="img" class="signpost-chart" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(label.title),
        escape(label.description)
    );
    out.replace_range(open..=open, &head);
    Ok(out)
}

fn max_of(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, f64::max)
}

/// A nice upper end for an axis that must show `max` (at least 1).
fn axis_top(max: f64) -> f64 {
    if max <= 1.0 {
        return 1.0;
    }
    let half_step = 10f64.powf(max.log10().floor()) / 2.0;
    (max / half_step).ceil() * half_step
}

/// How the series of a bar chart share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bars {
    /// One bar per category, the series stacked (parts of a whole: requests by outcome).
    Stacked,
    /// One bar per series side by side in each category (measures that overlap).
    Grouped,
}

/// Vertical bars over `categories` (e.g. weeks) for each of `series`, with a legend.
pub fn bars(
    label: &Label,
    categories: &[String],
    series: &[Series],
    y_desc: &str,
    kind: Bars,
) -> Result<String, ChartError> {
    let value = |s: &Series, i: usize| s.values.get(i).copied().unwrap_or(0.0);
    let highest = match kind {
        Bars::Stacked => {
            max_of((0..categories.len()).map(|i| series.iter().map(|s| value(s, i)).sum()))
        }
        Bars::Grouped => max_of(series.iter().flat_map(|s| s.values.iter().copied())),
    };
    // Headroom above the tallest bar for the legend.
    let top = axis_top(highest * (1.0 + 0.12 * series.len() as f64));
    svg(label, (720, 360), |root| {
        // Segments 0 to n - 1: one per category.
        let n = categories.len().saturating_sub(1).max(1) as u32;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..top)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(categories.len().min(12))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    categories.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .y_desc(y_desc)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE)
            .label_style((FONT, 13).into_font().color(&TEXT))
            .draw()
            .map_err(fail)?;
        // Side by side: each series gets its share of the category's width, in pixels.
        let width = chart.plotting_area().dim_in_pixel().0 as f64;
        let segment = width / f64::from(n + 1);
        let inner = (segment - 12.0).max(1.0);
        let share = inner / series.len().max(1) as f64;
        for (k, s) in series.iter().enumerate() {
            let colour = SERIES[k % SERIES.len()];
            let (left, right) = match kind {
                Bars::Stacked => (6, 6),
                Bars::Grouped => (
                    (6.0 + share * k as f64).round() as u32,
                    (6.0 + share * (series.len() - 1 - k) as f64).round() as u32,
                ),
            };
            chart
                .draw_series((0..categories.len()).filter_map(|i| {
                    let below: f64 = match kind {
                        Bars::Stacked => series[..k].iter().map(|p| value(p, i)).sum(),
                        Bars::Grouped => 0.0,
                    };
                    let v = value(s, i);
                    (v > 0.0).then(|| {
                        let i = i as u32;
                        let mut bar = Rectangle::new(
                            [
                                (SegmentValue::Exact(i), below),
                                (SegmentValue::Exact(i + 1), below + v),
                            ],
                            colour.filled(),
                        );
                        bar.set_margin(0, 0, left, right);
                        bar
                    })
                }))
                .map_err(fail)?
                .label(s.name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13).into_font().color(&TEXT))
            .draw()
            .map_err(fail)?;
        Ok(())
    })
}

/// A line of `values` over `categories` with a dashed horizontal line at `standard` (e.g. the
/// median working days to a decision each week, against the 1-working-day standard).
pub fn line_against_standard(
    label: &Label,
    categories: &[String],
    values: &[Option<f64>],
    standard: f64,
    standard_name: &str,
    series_name: &str,
    y_desc: &str,
) -> Result<String, ChartError> {
    let top = axis_top(max_of(
        values.iter().flatten().copied().chain([standard * 1.5]),
    ));
    svg(label, (720, 320), |root| {
        let n = categories.len().max(2) as f64 - 1.0;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .margin_right(36)
            .build_cartesian_2d(0.0..n, 0.0..top)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(categories.len().min(12))
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(y_desc)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .light_line_style(WHITE)
            .label_style((FONT, 13).into_font().color(&TEXT))
            .draw()
            .map_err(fail)?;
        let standard_colour = SERIES[3];
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, standard), (n, standard)],
                8,
                5,
                standard_colour.stroke_width(2),
            ))
            .map_err(fail)?
            .label(standard_name)
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], standard_colour.stroke_width(2))
            });
        let line = SERIES[0];
        // A gap in the line where a week had no decision.
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                line.stroke_width(3),
            ))
            .map_err(fail)?
            .label(series_name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], line.stroke_width(3)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, line.filled())))
            .map_err(fail)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13).into_font().color(&TEXT))
            .draw()
            .map_err(fail)?;
        Ok(())
    })
}

/// Horizontal bars, largest first as given, each with its label on the left and a note after
/// its value on the right (e.g. zero-result searches by outward code, with their commonest
/// words).
pub fn ranked_bars(label: &Label, rows: &[(String, f64, String)]) -> Result<String, ChartError> {
    let top = max_of(rows.iter().map(|r| r.1)).max(1.0);
    let height = 40 + 28 * rows.len().max(1) as u32;
    svg(label, (720, height), |root| {
        let (left, rest) = root.split_horizontally(110);
        let (bars, notes) = rest.split_horizontally(330);
        for (i, (name, value, note)) in rows.iter().enumerate() {
            let y = 20 + 28 * i as i32;
            left.draw(&Text::new(
                name.clone(),
                (4, y + 4),
                (FONT, 14).into_font().color(&TEXT),
            ))
            .map_err(fail)?;
            let width = ((value / top) * 280.0).round().max(2.0) as i32;
            bars.draw(&Rectangle::new(
                [(0, y), (width, y + 20)],
                SERIES[0].filled(),
            ))
            .map_err(fail)?;
            bars.draw(&Text::new(
                format!("{value}"),
                (width + 6, y + 4),
                (FONT, 14).into_font().color(&TEXT),
            ))
            .map_err(fail)?;
            notes
                .draw(&Text::new(
                    note.clone(),
                    (4, y + 4),
                    (FONT, 13).into_font().color(&TEXT),
                ))
                .map_err(fail)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label() -> Label<'static> {
        Label {
            id: "test-chart",
            title: "Requests <per> week",
            description: "A & B",
        }
    }

    /// The chart is well-formed XML: every tag opened is closed (a small checker: the SVG has
    /// no comments, CDATA or processing instructions).
    fn well_formed(svg: &str) -> bool {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                return false;
            };
            let tag = &rest[start + 1..start + end];
            rest = &rest[start + end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop().as_deref() != Some(name.trim()) {
                    return false;
                }
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or_default();
                stack.push(name.to_owned());
            }
        }
        stack.is_empty() && !rest.contains('<')
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn stacked_bars_draw_one_rectangle_per_nonzero_value() {
        let weeks = vec!["1 Dec".to_owned(), "8 Dec".to_owned(), "15 Dec".to_owned()];
        let series = [
            Series {
                name: "Signposted",
                values: vec![2.0, 0.0, 1.0],
            },
            Series {
                name: "Stepped up",
                values: vec![1.0, 3.0, 0.0],
            },
        ];
        let svg = bars(&label(), &weeks, &series, "Requests", Bars::Stacked).expect("drawn");
        assert!(well_formed(&svg), "{svg}");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"<title id="test-chart-title">Requests &lt;per&gt; week</title>"#));
        assert!(svg.contains(r#"<desc id="test-chart-desc">A &amp; B</desc>"#));
        // Four non-zero values: four bars in the series' colours (legend swatches are two more).
        let teal = count(&svg, r##"fill="#0B5B60""##);
        let blue = count(&svg, r##"fill="#1D70B8""##);
        assert_eq!((teal, blue), (2 + 1, 2 + 1), "{svg}");
    }

    #[test]
    fn grouped_bars_stand_side_by_side() {
        let months = vec!["2026-10".to_owned(), "2026-11".to_owned()];
        let series = [
            Series {
                name: "Finished",
                values: vec![4.0, 2.0],
            },
            Series {
                name: "Asked to be contacted",
                values: vec![1.0, 0.0],
            },
        ];
        let svg = bars(&label(), &months, &series, "Carers", Bars::Grouped).expect("drawn");
        assert!(well_formed(&svg), "{svg}");
        // Three non-zero values, three bars, plus a legend swatch for each series.
        let teal = count(&svg, r##"fill="#0B5B60""##);
        let blue = count(&svg, r##"fill="#1D70B8""##);
        assert_eq!((teal, blue), (2 + 1, 1 + 1), "{svg}");
    }

    #[test]
    fn the_standard_is_drawn_with_the_line() {
        let weeks = vec!["1 Dec".to_owned(), "8 Dec".to_owned(), "15 Dec".to_owned()];
        let svg = line_against_standard(
            &label(),
            &weeks,
            &[Some(0.5), None, Some(2.0)],
            1.0,
            "Standard: 1 working day",
            "Median",
            "Working days",
        )
        .expect("drawn");
        assert!(well_formed(&svg), "{svg}");
        assert!(svg.contains("Standard: 1 working day"));
        // One point for each week that had decisions.
        assert_eq!(count(&svg, "<circle"), 2, "{svg}");
    }

    #[test]
    fn ranked_bars_escape_what_people_typed() {
        let rows = vec![
            (
                "BK1".to_owned(),
                5.0,
                "swimming, <script>alert(1)</script>".to_owned(),
            ),
            ("BK2".to_owned(), 2.0, "autism".to_owned()),
        ];
        let svg = ranked_bars(&label(), &rows).expect("drawn");
        assert!(well_formed(&svg), "{svg}");
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;"));
        assert_eq!(count(&svg, r##"fill="#0B5B60""##), 2, "{svg}");
    }
}
