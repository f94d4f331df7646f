//! The per-pass rows as an HTML table (without wall times, so the page is the same for the same
//! seed).

use mips_core::pass::ReportRow;

use crate::html::escape;

/// The rows as a `<table>`.
pub fn rows_table(rows: &[ReportRow]) -> String {
    let show = |c: &Option<mips_core::pass::complexity::Complexity>| c.as_ref().map_or("-".into(), |c| c.to_string());
    let mut html = String::from(
        "<table>\n<tr><th>pass</th><th>kind</th><th>before</th><th>after</th><th>accuracy</th><th>status</th></tr>\n",
    );
    for r in rows {
        let cells = [
            r.pass.clone(),
            r.kind.name().to_string(),
            show(&r.before),
            show(&r.after),
            r.accuracy.map_or("-".into(), |a| format!("{:.2}%", a * 100.0)),
            r.status.to_string(),
        ];
        html += "<tr>";
        for cell in cells {
            html += &format!("<td>{}</td>", escape(&cell));
        }
        html += "</tr>\n";
    }
    html + "</table>\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::pass::{PassKind, Status};

    #[test]
    fn one_table_row_per_pass_with_its_status() {
        let row = ReportRow {
            pass: "snap".into(),
            kind: PassKind::Parameter,
            seconds: 1.5,
            verify_seconds: 0.25,
            before: None,
            after: None,
            accuracy: Some(1.0),
            status: Status::RolledBack("outputs <changed>".into()),
            notes: Vec::new(),
        };
        let html = rows_table(&[row.clone(), row]);
        assert_eq!(html.matches("<tr>").count(), 3);
        assert!(html.contains("<td>rolled back: outputs &lt;changed&gt;</td>"));
        assert!(html.contains("<td>100.00%</td>") && !html.contains("1.5"));
    }
}
