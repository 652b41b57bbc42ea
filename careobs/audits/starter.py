"""The starter audit templates every organisation gets, written from published good practice.

Each template's description names the guidance it was written from; the items are careobs's own
wording of what that guidance asks for, so a registered manager can audit against it at once and
adapt it later (a new draft version, as for any checklist). ★ in the comments = critical: Not met
on it makes the audit red whatever the score.

Sources (as published on nice.org.uk and GOV.UK):
- NICE SC1, Managing medicines in care homes (2014): record keeping, medicines reconciliation,
  administering, covert administration, "when required" medicines, medicine-related problems.
- NICE NG67, Managing medicines for adults receiving social care in the community (2017):
  assessing and recording the medicines support a person needs.
- NICE NG86, People's experience in adult social care services (2018): recommendations 1.1,
  each person an individual, their strengths and preferences, independence, involvement in
  every decision, their communication needs recorded (Accessible Information Standard).
- Infection prevention and control: resource for adult social care (GOV.UK, updated
  1 March 2024), and NHS England's National infection prevention and control manual, "Safe
  management of the care environment".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.checklists.service import fill
from careobs.db import utcnow

# Starter items get the same key in every organisation (as the default visit checklist's do), so
# reports across organisations, and the demo, can follow an item however it is later reworded.
KEY_NAMESPACE = uuid.UUID("6f1d3c52-4a8e-4d0b-9a71-2f5e8c3b7d19")


@dataclass(frozen=True)
class Template:
    """One starter audit template: (domain, [(item text, critical, guidance)])."""

    name: str
    subject_type: str
    frequency_days: int
    cqc_statements: tuple[str, ...]
    description: str
    domains: tuple[tuple[str, tuple[tuple[str, bool, str], ...]], ...]

    def item_key(self, text: str) -> uuid.UUID:
        """The stable key of this template's item first worded ``text``."""
        return uuid.uuid5(KEY_NAMESPACE, f"{self.name}\n{text}")


CARE_PLAN = Template(
    name="Care plan audit",
    subject_type="person",
    frequency_days=30,
    cqc_statements=("E1", "R1", "C2", "S4", "E6"),
    description=(
        "Monthly audit of one person's care and support plan. Written from NICE NG86, People's "
        "experience in adult social care services (recommendations 1.1 on individuality, "
        "independence, involvement and communication needs), with the medicines items from "
        "NICE SC1, Managing medicines in care homes, and NICE NG67, Managing medicines for "
        "adults receiving social care in the community."
    ),
    domains=(
        (
            "The person at the centre",
            (
                (
                    "The plan describes the person's strengths, preferences, aspirations and "
                    "what matters to them",
                    False,
                    "In their own words where possible, not only their needs (NICE NG86).",
                ),
                (
                    "The person, or someone they chose, took part in writing and reviewing the "
                    "plan, and this is recorded",
                    False,
                    "NICE NG86: involve the person in every decision that affects them.",
                ),
                (
                    "How the person communicates, and any communication needs, are recorded",
                    False,
                    "As the Accessible Information Standard asks (NICE NG86).",
                ),
                (
                    "The plan says what the person does for themselves and the support they "
                    "need to stay independent",
                    False,
                    "",
                ),
            ),
        ),
        (
            "Needs, risks and consent",
            (
                ("Each need has clear instructions that staff can follow", False, ""),
                (
                    "Risk assessments are in place for the person's identified risks and agree "
                    "with the plan",
                    True,  # ★
                    "For example falls, skin integrity, eating and drinking, moving and handling.",
                ),
                (
                    "Consent to care is recorded; where capacity is in doubt, a capacity "
                    "assessment and best-interests decision are recorded",
                    True,  # ★
                    "Mental Capacity Act 2005.",
                ),
                (
                    "Choices the person has made, including risks they choose to take, are "
                    "respected and recorded",
                    False,
                    "NICE NG86: respect people's right to make their own decisions.",
                ),
            ),
        ),
        (
            "Health and medicines",
            (
                (
                    'Allergies are recorded, or "no known allergies" is stated',
                    True,  # ★
                    "",
                ),
                (
                    "The medicines support the person needs is stated and matches their "
                    "medicines record",
                    False,
                    "Self-administers, prompted or administered (NICE NG67, NICE SC1).",
                ),
                (
                    "Advice from health professionals is reflected in the plan",
                    False,
                    "GP, district nurse, therapists, speech and language therapy.",
                ),
            ),
        ),
        (
            "Kept up to date",
            (
                (
                    "The plan was reviewed by its review date, or sooner after a change in need",
                    True,  # ★
                    "",
                ),
                ("Daily notes show care given as the plan says", False, ""),
                (
                    "Changes are dated and signed, and out-of-date pages are archived",
                    False,
                    "",
                ),
            ),
        ),
    ),
)

MEDICINES_RECORDS = Template(
    name="Medicines administration records audit",
    subject_type="person",
    frequency_days=7,
    cqc_statements=("S8", "S1", "E6"),
    description=(
        "Weekly audit of one person's medicines administration record (MAR or eMAR) for the "
        "past week. Written from NICE SC1, Managing medicines in care homes (record keeping, "
        'medicines reconciliation, administering, covert administration, "when required" '
        "medicines, medicine-related problems), and NICE NG67, Managing medicines for adults "
        "receiving social care in the community (assessing and recording medicines support)."
    ),
    domains=(
        (
            "The record",
            (
                (
                    "The record lists the person's current medicines, matching the latest "
                    "prescription or discharge letter",
                    True,  # ★
                    "Medicines reconciliation (NICE SC1).",
                ),
                (
                    "Allergies are recorded on the record",
                    True,  # ★
                    "",
                ),
                (
                    "Each medicine shows its name, strength, dose, route and times",
                    False,
                    "",
                ),
                (
                    "Handwritten entries and changes are dated, signed and checked by a second "
                    "trained member of staff",
                    False,
                    "",
                ),
            ),
        ),
        (
            "Giving and recording",
            (
                (
                    "Every dose due this week is signed for or has a reason code: no gaps",
                    True,  # ★
                    "A gap means nobody can tell whether the dose was given.",
                ),
                (
                    "Doses were recorded straight after they were given, never before",
                    False,
                    "NICE SC1: record at the time of administration.",
                ),
                (
                    "Refused, omitted or withheld doses have the reason recorded and the "
                    "prescriber was told where needed",
                    False,
                    "",
                ),
                (
                    "A stock count of one medicine matches what the record says was given",
                    False,
                    "Pick a different medicine each week.",
                ),
            ),
        ),
        (
            "When required and special instructions",
            (
                (
                    'Each "when required" (PRN) medicine has a protocol saying when to give it '
                    "and how much",
                    False,
                    "NICE SC1: when required medicines.",
                ),
                (
                    'The reason for each "when required" dose, and its effect, are recorded',
                    False,
                    "",
                ),
                (
                    "Covert administration, if used, has a best-interests decision, the "
                    "prescriber's agreement and a pharmacist's advice on record",
                    True,  # ★
                    "NICE SC1: covert administration. N/A when not used.",
                ),
                (
                    "Creams and other external preparations have clear directions or a body "
                    "map and are signed for",
                    False,
                    "",
                ),
            ),
        ),
        (
            "Support and problems",
            (
                (
                    "The support the person needs with medicines is assessed and recorded",
                    False,
                    "Self-administers, prompted or administered (NICE NG67).",
                ),
                (
                    "Medicines errors or incidents found were reported and recorded as the "
                    "medicines policy says",
                    True,  # ★
                    "NICE SC1: safeguarding and medicine-related problems.",
                ),
            ),
        ),
    ),
)

INFECTION_CONTROL = Template(
    name="Infection prevention and control and environment audit",
    subject_type="area",
    frequency_days=30,
    cqc_statements=("S7", "S5"),
    description=(
        "Monthly audit of one area or room. Written from Infection prevention and control: "
        "resource for adult social care (GOV.UK, updated 1 March 2024) and NHS England's "
        "National infection prevention and control manual (safe management of the care "
        "environment)."
    ),
    domains=(
        (
            "Hand hygiene",
            (
                (
                    "A hand-washing sink with liquid soap and paper towels is available and "
                    "working",
                    True,  # ★
                    "",
                ),
                ("Alcohol-based hand rub is available where care is given", False, ""),
                (
                    "Staff seen are bare below the elbows and clean their hands at the right "
                    "moments",
                    False,
                    "Before and after contact, after removing gloves, after body fluids.",
                ),
            ),
        ),
        (
            "Clean and well kept",
            (
                (
                    "The area is visibly clean and free from clutter",
                    False,
                    "Clutter makes cleaning impossible (National IPC manual).",
                ),
                (
                    "The area's cleaning schedule is in place, followed and signed",
                    False,
                    "",
                ),
                (
                    "Furniture, floors and fittings are in good repair so they can be cleaned",
                    False,
                    "No torn covers, chipped surfaces or damaged flooring.",
                ),
                (
                    "Shared equipment (commodes, hoists, slings) is clean and marked as cleaned",
                    True,  # ★
                    "",
                ),
            ),
        ),
        (
            "Protective equipment, linen and waste",
            (
                (
                    "Gloves and aprons are stocked near where care is given, stored off the floor",
                    False,
                    "",
                ),
                (
                    "Used linen is bagged as the laundry procedure says; clean linen is stored "
                    "covered, apart from used",
                    False,
                    "",
                ),
                (
                    "Waste is put in the right bags or bins; bins are lidded, foot-operated and "
                    "not overfilled",
                    False,
                    "",
                ),
                (
                    "Sharps bins, where used, are assembled, labelled, no more than three-quarters "
                    "full and kept safe",
                    True,  # ★
                    "N/A where no sharps are used.",
                ),
            ),
        ),
        (
            "Spills and outbreaks",
            (
                (
                    "A blood and body fluid spillage kit is available and staff know where",
                    False,
                    "",
                ),
                (
                    "Staff know how to recognise and report a suspected infection or outbreak",
                    False,
                    "Ask one member of staff on duty.",
                ),
            ),
        ),
    ),
)

BEHAVIOUR_AND_INCIDENTS = Template(
    name="Behaviour and incidents review",
    subject_type="service",
    frequency_days=30,
    cqc_statements=("S1", "S3", "S4", "W5"),
    description=(
        "Monthly review of the service's incident and behaviour records, to check that issues "
        "were acted on in good time and learnt from. Written from NICE NG86, People's "
        "experience in adult social care services (recommendations 1.1: each person an "
        "individual, involved in every decision, their choices respected) and NICE SC1, "
        "Managing medicines in care homes (safeguarding and medicine-related problems: "
        "reporting and learning from incidents)."
    ),
    domains=(
        (
            "Recording",
            (
                (
                    "Every incident this month is recorded with when, where and what happened",
                    False,
                    "People by their code only.",
                ),
                (
                    "Behaviour records describe what happened before, during and after, not "
                    "only the behaviour",
                    False,
                    "",
                ),
                (
                    "Records were completed by the end of the shift on which the incident happened",
                    False,
                    "",
                ),
            ),
        ),
        (
            "Response and safeguarding",
            (
                (
                    "Injuries were checked, and first aid or medical advice sought where needed",
                    True,  # ★
                    "",
                ),
                (
                    "Possible abuse or neglect was reported to the local authority's "
                    "safeguarding team without delay",
                    True,  # ★
                    "",
                ),
                (
                    "Notifications the service must send to CQC were sent",
                    True,  # ★
                    "",
                ),
                (
                    "Families or representatives were told, where the person agreed or it was "
                    "in their best interests",
                    False,
                    "",
                ),
            ),
        ),
        (
            "Learning and action",
            (
                (
                    "Patterns across the month were looked for: times, places, triggers",
                    False,
                    "",
                ),
                (
                    "Care plans and risk assessments were updated after incidents that changed "
                    "a person's needs",
                    False,
                    "",
                ),
                (
                    "Any restrictive practice or physical intervention was recorded, justified "
                    "and reviewed",
                    True,  # ★
                    "N/A when there was none.",
                ),
                (
                    "Actions from last month's review were completed, or carried forward with a "
                    "reason",
                    False,
                    "",
                ),
                (
                    "Lessons were shared with staff at handover, supervision or team meetings",
                    False,
                    "",
                ),
            ),
        ),
        (
            "The person's view",
            (
                (
                    "The people involved were supported to say what happened and what would help",
                    False,
                    "NICE NG86: support people to express their views.",
                ),
            ),
        ),
    ),
)

TEMPLATES = (CARE_PLAN, MEDICINES_RECORDS, INFECTION_CONTROL, BEHAVIOUR_AND_INCIDENTS)


def _create(db: Session, organisation_id: int, template: Template, actor) -> Checklist:
    checklist = Checklist(
        organisation_id=organisation_id,
        name=template.name,
        purpose="audit",
        description=template.description,
        subject_type=template.subject_type,
        frequency_days=template.frequency_days,
        cqc_statements=list(template.cqc_statements),
    )
    version = ChecklistVersion(
        organisation_id=organisation_id, checklist=checklist, number=1, published_at=utcnow()
    )
    fill(version, [(name, list(items)) for name, items in template.domains])
    for item in version.items:
        item.key = template.item_key(item.text)
    db.add_all([checklist, version])
    db.flush()
    record(
        db,
        "checklist_published",
        organisation_id=organisation_id,
        actor=actor,
        entity=checklist,
        summary=f"{checklist.name} v1 (starter audit template)",
    )
    return checklist


def create_starter_templates(db: Session, organisation_id: int, actor=None) -> list[Checklist]:
    """Publish the starter audit templates the organisation does not have yet (by name), so
    running it again changes nothing; returns the templates it created."""
    taken = set(
        db.scalars(sa.select(Checklist.name).where(Checklist.organisation_id == organisation_id))
    )
    return [
        _create(db, organisation_id, template, actor)
        for template in TEMPLATES
        if template.name not in taken
    ]
