"""The PDF report of an inspection: the facts, the answers, the findings, the photos.

Drawn with fpdf2 (pure Python) in its built-in Helvetica, so that no font file
is needed; text is written in the reader's language, and characters outside
Latin-1 are replaced by their nearest equivalent.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from port2port.compliance.models import Finding, Inspection
from port2port.compliance.selectors import inspection_rows

_REPLACEMENTS = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "≤": "<=",
        "≥": ">=",
        "€": "EUR",
        "•": "-",
        "\u00a0": " ",
    }
)


def _latin(text: Any) -> str:
    value = str(text if text is not None else "").translate(_REPLACEMENTS)
    return value.encode("latin-1", "replace").decode("latin-1")


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.report_title = title
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_latin(title))
        self.set_creator("Port2Port")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(
            0,
            6,
            _latin(f"{self.report_title} - {self.page_no()}/{{nb}}"),
            align="C",
        )
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)

    def fact(self, label: str, value: Any) -> None:
        self.set_font("Helvetica", "B", 10)
        self.cell(48, 6, _latin(label))
        self.set_font("Helvetica", size=10)
        self.multi_cell(0, 6, _latin(value), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")


def _answer_text(row: Any) -> str:
    answer = row.answer
    if answer is None:
        return _("(no answer)") if row.item.answer_type != "photo" else ""
    if answer.choice:
        return str(answer.get_choice_display())
    if answer.number is not None:
        number = f"{answer.number.normalize():f}"
        return f"{number} {row.item.unit}".strip()
    return answer.text


def inspection_pdf(inspection: Inspection) -> bytes:
    """Return the PDF report of an inspection."""
    facility = inspection.facility
    title = _("Inspection report %(facility)s %(day)s") % {
        "facility": facility.name,
        "day": inspection.planned_on,
    }
    pdf = _Report(title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(title, 16)
    pdf.fact(_("Facility"), f"{facility.name} ({facility.code})")
    pdf.fact(_("Port"), f"{facility.port.name} ({facility.port.locode})")
    pdf.fact(
        _("Checklist"), f"{inspection.template.title} v{inspection.template.version}"
    )
    pdf.fact(_("Kind"), inspection.get_kind_display())
    pdf.fact(
        _("Inspector"),
        inspection.inspector.get_full_name() or inspection.inspector.get_username(),
    )
    pdf.fact(_("Status"), inspection.get_status_display())
    if inspection.completed_at:
        pdf.fact(
            _("Completed"),
            timezone.localtime(inspection.completed_at).strftime("%Y-%m-%d %H:%M"),
        )
    if inspection.outcome:
        pdf.fact(_("Outcome"), inspection.get_outcome_display())
    if inspection.summary:
        pdf.heading(_("Summary"))
        pdf.paragraph(inspection.summary)

    findings = list(
        inspection.findings.select_related("item").prefetch_related("updates")
    )
    pdf.heading(_("Findings (%(count)d)") % {"count": len(findings)})
    if not findings:
        pdf.paragraph(_("No finding."))
    for finding in findings:
        _finding(pdf, finding)

    pdf.heading(_("Answers"))
    rows = inspection_rows(inspection)
    section = None
    photos: list[tuple[Any, Any]] = []
    for row in rows:
        if row.item.section != section:
            section = row.item.section
            pdf.set_font("Helvetica", "B", 11)
            pdf.ln(1)
            pdf.multi_cell(0, 6, _latin(section), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(
            0,
            5,
            _latin(f"{row.item.text}  [{row.item.source}]"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Helvetica", "B", 9)
        answer = _answer_text(row)
        if row.photos:
            answer = f"{answer} " + _("(%(count)d photos)") % {"count": len(row.photos)}
        pdf.multi_cell(0, 5, _latin(f"  -> {answer}"), new_x="LMARGIN", new_y="NEXT")
        if row.answer is not None and row.answer.comment:
            pdf.set_font("Helvetica", "I", 9)
            pdf.multi_cell(
                0, 5, _latin(f"  {row.answer.comment}"), new_x="LMARGIN", new_y="NEXT"
            )
        photos.extend((row.item, photo) for photo in row.photos)

    if photos:
        pdf.add_page()
        pdf.heading(_("Photos"))
        for item, photo in photos:
            try:
                with photo.file.open("rb") as handle:
                    data = handle.read()
                if pdf.get_y() > 200:
                    pdf.add_page()
                pdf.paragraph(f"{item.key}: {photo.caption or item.text}", size=9)
                pdf.image(io.BytesIO(data), w=90)
                pdf.ln(3)
            except (OSError, ValueError, RuntimeError):
                pdf.paragraph(_("(photo not available)"), size=9)
    return bytes(pdf.output())


def _finding(pdf: _Report, finding: Finding) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(
        0,
        6,
        _latin(
            f"#{finding.number} {finding.get_severity_display()} - "
            f"{finding.get_status_display()}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.paragraph(finding.description)
    if finding.source:
        pdf.paragraph(_("Requirement: %(source)s") % {"source": finding.source}, size=9)
    if finding.action:
        pdf.paragraph(
            _("Corrective action: %(action)s (owner: %(owner)s)")
            % {"action": finding.action, "owner": finding.action_owner},
            size=9,
        )
    if finding.deadline:
        pdf.paragraph(_("Deadline: %(day)s") % {"day": finding.deadline}, size=9)
    for update in finding.updates.all():
        pdf.paragraph(
            f"{timezone.localtime(update.at):%Y-%m-%d} {update.get_kind_display()}: "
            f"{update.text}",
            size=8,
        )
    pdf.ln(1)
