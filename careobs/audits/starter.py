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

Each item also has easy-read wording, for a co-audit with a person supported or a quality checker
(issue 16), written as easy-read guidance asks (GOV.UK, Inclusive communication: accessible
communication formats; the Accessible Information Standard): one question of one idea, at most 15
words a sentence, everyday words ("doctor", "medicines chart", "care inspectors"), no
abbreviations or contractions (no "MAR", "PRN", "CQC"), and addressed to the person ("Do staff
wash their hands before helping you?"). An item the person could not judge (a stock count, a
cleaning chart) is still one plain question a quality checker can answer.

Organisations made before easy-read wording existed keep their published version 1 without it
(published versions never change): ``careobs starter-easy-read`` writes this wording into a draft
of each (see :func:`draft_easy_read`), for an admin to read and publish.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from careobs.audit.service import record, record_about
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.checklists.service import current_version, draft_of, fill, start_draft
from careobs.db import utcnow
from careobs.wording import plural

# Starter items get the same key in every organisation (as the default visit checklist's do), so
# reports across organisations, and the demo, can follow an item however it is later reworded.
KEY_NAMESPACE = uuid.UUID("6f1d3c52-4a8e-4d0b-9a71-2f5e8c3b7d19")


@dataclass(frozen=True)
class Template:
    """One starter audit template: (domain, [(item text, critical, guidance, easy read)]).

    The easy read is the item as one plain question for a co-audit with a person supported or a
    quality checker (see the module docstring for how it is written).
    """

    name: str
    subject_type: str
    frequency_days: int
    cqc_statements: tuple[str, ...]
    description: str
    domains: tuple[tuple[str, tuple[tuple[str, bool, str, str], ...]], ...]

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
                    "Does your care plan say what is important to you?",
                ),
                (
                    "The person, or someone they chose, took part in writing and reviewing the "
                    "plan, and this is recorded",
                    False,
                    "NICE NG86: involve the person in every decision that affects them.",
                    "Did you, or someone you chose, help to write your care plan?",
                ),
                (
                    "How the person communicates, and any communication needs, are recorded",
                    False,
                    "As the Accessible Information Standard asks (NICE NG86).",
                    "Does your care plan say the best way to talk with you?",
                ),
                (
                    "The plan says what the person does for themselves and the support they "
                    "need to stay independent",
                    False,
                    "",
                    "Does your care plan say what you can do for yourself?",
                ),
            ),
        ),
        (
            "Needs, risks and consent",
            (
                (
                    "Each need has clear instructions that staff can follow",
                    False,
                    "",
                    "Does your care plan tell staff clearly how to help you?",
                ),
                (
                    "Risk assessments are in place for the person's identified risks and agree "
                    "with the plan",
                    True,  # ★
                    "For example falls, skin integrity, eating and drinking, moving and handling.",
                    "Does your care plan say how staff help you to stay safe?",
                ),
                (
                    "Consent to care is recorded; where capacity is in doubt, a capacity "
                    "assessment and best-interests decision are recorded",
                    True,  # ★
                    "Mental Capacity Act 2005.",
                    "Did staff ask if you agree to the care you get?",
                ),
                (
                    "Choices the person has made, including risks they choose to take, are "
                    "respected and recorded",
                    False,
                    "NICE NG86: respect people's right to make their own decisions.",
                    "Do staff respect the choices you make, even risky ones?",
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
                    "Does your care plan say what you are allergic to, if anything?",
                ),
                (
                    "The medicines support the person needs is stated and matches their "
                    "medicines record",
                    False,
                    "Self-administers, prompted or administered (NICE NG67, NICE SC1).",
                    "Does your care plan say how staff help you with your medicines?",
                ),
                (
                    "Advice from health professionals is reflected in the plan",
                    False,
                    "GP, district nurse, therapists, speech and language therapy.",
                    "Does your care plan include advice from your doctor, nurse or therapist?",
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
                    "Was your care plan checked again on time, or when things changed for you?",
                ),
                (
                    "Daily notes show care given as the plan says",
                    False,
                    "",
                    "Do staff give you the care your plan says?",
                ),
                (
                    "Changes are dated and signed, and out-of-date pages are archived",
                    False,
                    "",
                    "Is each change to your care plan dated and signed?",
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
                    "Does your medicines chart list all the medicines you take now?",
                ),
                (
                    "Allergies are recorded on the record",
                    True,  # ★
                    "",
                    "Does your medicines chart say what you are allergic to?",
                ),
                (
                    "Each medicine shows its name, strength, dose, route and times",
                    False,
                    "",
                    "Does your medicines chart say how much of each medicine you take, and when?",
                ),
                (
                    "Handwritten entries and changes are dated, signed and checked by a second "
                    "trained member of staff",
                    False,
                    "",
                    "When staff write on your medicines chart by hand, does a second person "
                    "check it?",
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
                    "Do staff write down every time they give you a medicine?",
                ),
                (
                    "Doses were recorded straight after they were given, never before",
                    False,
                    "NICE SC1: record at the time of administration.",
                    "Do staff write it down straight after you take your medicine?",
                ),
                (
                    "Refused, omitted or withheld doses have the reason recorded and the "
                    "prescriber was told where needed",
                    False,
                    "",
                    "If you do not take a medicine, do staff write down why?",
                ),
                (
                    "A stock count of one medicine matches what the record says was given",
                    False,
                    "Pick a different medicine each week.",
                    "Does the amount of medicine left match what your medicines chart says?",
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
                    "Do staff know when to give you medicines you only need sometimes?",
                ),
                (
                    'The reason for each "when required" dose, and its effect, are recorded',
                    False,
                    "",
                    "When you take a medicine only when needed, do staff write down why?",
                ),
                (
                    "Covert administration, if used, has a best-interests decision, the "
                    "prescriber's agreement and a pharmacist's advice on record",
                    True,  # ★
                    "NICE SC1: covert administration. N/A when not used.",
                    "If your medicines are hidden in your food or drink, did your doctor agree?",
                ),
                (
                    "Creams and other external preparations have clear directions or a body "
                    "map and are signed for",
                    False,
                    "",
                    "Do staff know where and how to put on your creams?",
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
                    "Did staff ask how much help you want with your medicines?",
                ),
                (
                    "Medicines errors or incidents found were reported and recorded as the "
                    "medicines policy says",
                    True,  # ★
                    "NICE SC1: safeguarding and medicine-related problems.",
                    "If something went wrong with your medicines, did staff report it?",
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
                    "Is there a working sink with soap and paper towels?",
                ),
                (
                    "Alcohol-based hand rub is available where care is given",
                    False,
                    "",
                    "Is there hand gel where staff help you?",
                ),
                (
                    "Staff seen are bare below the elbows and clean their hands at the right "
                    "moments",
                    False,
                    "Before and after contact, after removing gloves, after body fluids.",
                    "Do staff wash their hands before helping you?",
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
                    "Is this room clean and tidy?",
                ),
                (
                    "The area's cleaning schedule is in place, followed and signed",
                    False,
                    "",
                    "Is the cleaning chart for this room filled in?",
                ),
                (
                    "Furniture, floors and fittings are in good repair so they can be cleaned",
                    False,
                    "No torn covers, chipped surfaces or damaged flooring.",
                    "Are the furniture and floor in good condition, with nothing torn or broken?",
                ),
                (
                    "Shared equipment (commodes, hoists, slings) is clean and marked as cleaned",
                    True,  # ★
                    "",
                    "Is shared equipment, like a hoist or commode, clean and labelled as cleaned?",
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
                    "Are gloves and aprons kept close by, off the floor?",
                ),
                (
                    "Used linen is bagged as the laundry procedure says; clean linen is stored "
                    "covered, apart from used",
                    False,
                    "",
                    "Are used sheets and towels kept apart from clean ones?",
                ),
                (
                    "Waste is put in the right bags or bins; bins are lidded, foot-operated and "
                    "not overfilled",
                    False,
                    "",
                    "Do the bins have lids, and are they emptied before they get too full?",
                ),
                (
                    "Sharps bins, where used, are assembled, labelled, no more than three-quarters "
                    "full and kept safe",
                    True,  # ★
                    "N/A where no sharps are used.",
                    "Are boxes for used needles kept safe and not too full?",
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
                    "Do staff know where the kit for cleaning up spills is?",
                ),
                (
                    "Staff know how to recognise and report a suspected infection or outbreak",
                    False,
                    "Ask one member of staff on duty.",
                    "Do staff know what to do if they think someone has an infection?",
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
                    "When something goes wrong, do staff write down what happened?",
                ),
                (
                    "Behaviour records describe what happened before, during and after, not "
                    "only the behaviour",
                    False,
                    "",
                    "When someone is upset, do staff write down what led up to it?",
                ),
                (
                    "Records were completed by the end of the shift on which the incident happened",
                    False,
                    "",
                    "Do staff write about what happened before they go home that day?",
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
                    "If you got hurt, did staff check you and get help?",
                ),
                (
                    "Possible abuse or neglect was reported to the local authority's "
                    "safeguarding team without delay",
                    True,  # ★
                    "",
                    "If someone may have been hurt or treated badly, did staff tell the council?",
                ),
                (
                    "Notifications the service must send to CQC were sent",
                    True,  # ★
                    "",
                    "Did the manager tell the care inspectors when they had to?",
                ),
                (
                    "Families or representatives were told, where the person agreed or it was "
                    "in their best interests",
                    False,
                    "",
                    "Was your family told, if you wanted them to know?",
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
                    "Did the manager look for patterns, like the same time or place?",
                ),
                (
                    "Care plans and risk assessments were updated after incidents that changed "
                    "a person's needs",
                    False,
                    "",
                    "After something happened, was your care plan changed if you needed "
                    "different help?",
                ),
                (
                    "Any restrictive practice or physical intervention was recorded, justified "
                    "and reviewed",
                    True,  # ★
                    "N/A when there was none.",
                    "If staff held you or stopped you moving, did a manager check why?",
                ),
                (
                    "Actions from last month's review were completed, or carried forward with a "
                    "reason",
                    False,
                    "",
                    "Did the manager do what they said they would last month?",
                ),
                (
                    "Lessons were shared with staff at handover, supervision or team meetings",
                    False,
                    "",
                    "Did the manager tell staff what they learned from what happened?",
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
                    "Did staff ask you what happened and what would help you?",
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


def _easy_read_by_key() -> dict[uuid.UUID, str]:
    return {
        template.item_key(text): easy
        for template in TEMPLATES
        for _domain, items in template.domains
        for text, _critical, _guidance, easy in items
    }


def draft_easy_read(db: Session, organisation_id: int, actor=None) -> list[ChecklistVersion]:
    """Write the starter easy-read wording into a draft of each of the organisation's starter
    templates whose items still lack it (an organisation made before the wording existed);
    returns the drafts written to.

    Items are matched by key, so an item reworded since keeps being found; wording an admin
    wrote, and items the starter does not have, are left alone. The draft is the existing one
    or a new copy of the current version: what is published never changes, and publishing
    stays the admin's decision. Running it again finds nothing left to write.
    """
    wording = _easy_read_by_key()
    names = [template.name for template in TEMPLATES]
    written = []
    checklists = db.scalars(
        sa.select(Checklist)
        .where(
            Checklist.organisation_id == organisation_id,
            Checklist.purpose == "audit",
            Checklist.name.in_(names),
        )
        .order_by(Checklist.id)
    )
    for checklist in checklists:
        source = draft_of(db, checklist) or current_version(db, checklist)
        if source is None or not _missing(source, wording):
            continue
        draft = source if source.is_draft else start_draft(db, checklist, actor)
        missing = _missing(draft, wording)
        for item in missing:
            item.easy_read_text = wording[item.key]
        db.flush()
        count = plural(len(missing), "item", "items")
        summary = f"{checklist.name} v{draft.number}: starter easy-read wording for {count}"
        record_about(db, "checklist_easy_read_drafted", checklist, actor=actor, summary=summary)
        written.append(draft)
    return written


def _missing(version: ChecklistVersion, wording: dict[uuid.UUID, str]) -> list:
    return [i for i in version.items if not i.easy_read_text and i.key in wording]
