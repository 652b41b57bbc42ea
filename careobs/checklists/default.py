"""The default "Homecare monitoring visit" checklist of design §2.2 (★ = critical)."""

import uuid

NAME = "Homecare monitoring visit"

# Default items get the same key in every organisation, derived from their first wording. Keys
# survive new versions, so the visit form finds the Timekeeping items (static/js/visit-scoring.js,
# TIMEKEEPING_KEYS) however an admin later rewords them.
KEY_NAMESPACE = uuid.UUID("0b6b5c7e-8f0e-4c55-9a3e-5d1f2a7c9e41")


def item_key(text: str) -> uuid.UUID:
    """The stable key of the default item first worded ``text``."""
    return uuid.uuid5(KEY_NAMESPACE, text)


# (domain, [(item text, critical, guidance)])
DOMAINS = [
    (
        "Appearance",
        [
            ("Uniform clean and complete", False, "As the uniform policy describes."),
            ("ID badge visible", False, "Worn where the person can read it."),
            (
                "Bare below the elbows, nails short, hair tied back, minimal jewellery",
                False,
                "Needed for effective hand hygiene.",
            ),
        ],
    ),
    (
        "Timekeeping",
        [
            (
                "Arrived within the agreed tolerance of the planned time",
                False,
                "Record the arrival time (Arrived now, or type it); lateness is worked out.",
            ),
            (
                "Stayed the planned duration",
                False,
                "Record the leaving time (Left now, or type it); the time given is worked out.",
            ),
            ("Logged the visit in and out", False, "On the call monitoring system or app."),
        ],
    ),
    (
        "Arrival and greeting",
        [
            ("Knocked and announced themselves", False, ""),
            ("Greeted the person by their preferred name", False, ""),
            ("Explained what they were there to do", False, ""),
        ],
    ),
    (
        "Infection prevention and control",
        [
            ("Hand hygiene before contact", True, "Washed or gelled hands before any care."),
            ("Correct PPE used and disposed of", False, "Apron and gloves as the task needs."),
        ],
    ),
    (
        "Care plan",
        [
            ("Read the care plan, risk assessment and latest notes", False, ""),
            ("Care given as the plan says", False, ""),
        ],
    ),
    (
        "Communication and consent",
        [
            ("Gained consent before care", True, "Asked, and waited for an answer."),
            ("Offered choices", False, "Clothes, food, drinks, order of care."),
            ("Clear, unhurried communication", False, ""),
            ("No personal phone use", False, ""),
        ],
    ),
    (
        "Dignity and privacy",
        [
            ("Privacy during personal care", False, "Doors and curtains closed, body covered."),
            ("Promoted independence", False, "Let the person do what they can."),
            ("Respectful language", False, ""),
        ],
    ),
    (
        "Moving and handling",
        [
            (
                "Equipment checked and used safely as the plan says",
                True,
                "Hoist, slide sheet, stand aid: checked before use and used as assessed.",
            ),
        ],
    ),
    (
        "Meals and drinks",
        [
            ("Food prepared safely and to preference", False, ""),
            ("Drink left within reach", False, ""),
        ],
    ),
    (
        "Medicines",
        [
            ("Checked the medicines record before giving", True, "The MAR chart or eMAR."),
            ("Right person, medicine, dose, time and route", True, ""),
            ("Recorded correctly straight after", True, ""),
        ],
    ),
    (
        "Record keeping",
        [
            ("Visit notes complete, accurate, written at the time", False, ""),
        ],
    ),
    (
        "Safeguarding and risk",
        [
            ("Recognised and reported any risk or concern appropriately", False, ""),
        ],
    ),
    (
        "The person's view",
        [
            (
                "Asked the person (or family) how care is going",
                False,
                "Record their satisfaction and words below; it never blocks saving.",
            ),
        ],
    ),
]
