"""Other medicines: the class vocabulary, common names mapped to classes, and the facts the report cites.

Information only (clinical reference section 5): ketalog records and shows what
someone takes, and names the published fact for the classes a ketamine
clinician asks about; it never advises. Names are free text; ``classify`` maps
common generic and brand names, and anything else is "other" unless the person
says otherwise (`med add NAME --class`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

CLASSES = (
    "benzodiazepine",
    "lamotrigine",
    "psychostimulant",
    "maoi",
    "opioid",
    "ssri",
    "snri",
    "antipsychotic",
    "lithium",
    "other",
)
CLASS_LABELS = {"maoi": "MAOI", "ssri": "SSRI", "snri": "SNRI"}

_NAMES = {
    "benzodiazepine": "alprazolam xanax clonazepam klonopin rivotril diazepam valium lorazepam ativan temazepam "
    "restoril chlordiazepoxide librium oxazepam serax clobazam onfi frisium midazolam versed nitrazepam "
    "bromazepam lexotan triazolam halcion clorazepate tranxene estazolam flurazepam",
    "lamotrigine": "lamotrigine lamictal",
    "psychostimulant": "amphetamine adderall dextroamphetamine dexedrine lisdexamfetamine vyvanse elvanse "
    "methylphenidate ritalin concerta medikinet dexmethylphenidate focalin modafinil provigil armodafinil nuvigil "
    "methamphetamine desoxyn",
    "maoi": "phenelzine nardil tranylcypromine parnate isocarboxazid marplan selegiline emsam moclobemide "
    "manerix aurorix",
    "opioid": "oxycodone oxycontin percocet hydrocodone vicodin norco morphine codeine tramadol ultram tapentadol "
    "nucynta fentanyl buprenorphine suboxone subutex methadone hydromorphone dilaudid oxymorphone",
    "ssri": "sertraline zoloft lustral fluoxetine prozac escitalopram lexapro cipralex citalopram celexa cipramil "
    "paroxetine paxil seroxat fluvoxamine luvox",
    "snri": "venlafaxine effexor desvenlafaxine pristiq duloxetine cymbalta levomilnacipran fetzima milnacipran",
    "antipsychotic": "quetiapine seroquel aripiprazole abilify olanzapine zyprexa risperidone risperdal "
    "lurasidone latuda brexpiprazole rexulti cariprazine vraylar ziprasidone geodon clozapine clozaril "
    "haloperidol haldol paliperidone invega",
    "lithium": "lithium lithobid eskalith priadel camcolit",
}
NAMES = {name: klass for klass, names in _NAMES.items() for name in names.split()}

# The classes the report raises ("To discuss") when active on, or taken within 24 h of, a session:
# the reference's one-line fact and its source. Lamotrigine and alcohol are recorded, not raised.
RAISED = {
    "benzodiazepine": (
        "Benzodiazepines have been linked to a weaker antidepressant response to ketamine and add to sedation",
        "Frye et al., J Clin Psychopharmacol 2015; Albott et al., J Affect Disord 2017; esketamine label",
    ),
    "psychostimulant": (
        "Psychostimulants may raise blood pressure with esketamine",
        "esketamine (Spravato) label, drug interactions",
    ),
    "maoi": ("MAOIs may raise blood pressure with esketamine", "esketamine (Spravato) label, drug interactions"),
    "opioid": ("Opioids add to sedation", "esketamine (Spravato) label: CNS depressants"),
}
NEAR_SESSION_HOURS = 24  # "taken within 24 h of a session" (issue 15; product rule)


def key(name: str) -> str:
    """How a medicine is identified: its name trimmed, spaces folded and lower-cased."""
    return " ".join(name.split()).lower()


def classify(name: str) -> str:
    """The class of a common generic or brand name (any word of it), else "other"."""
    for word in key(name).replace("-", " ").replace("/", " ").split():
        if word in NAMES:
            return NAMES[word]
    return "other"


def parse_class(text: str) -> str:
    """'SSRI', 'benzo' -> the vocabulary's spelling; ValueError listing what is allowed."""
    wanted = text.strip().lower()
    aliases = {"benzo": "benzodiazepine", "benzodiazepines": "benzodiazepine", "stimulant": "psychostimulant"}
    wanted = aliases.get(wanted, wanted)
    if wanted not in CLASSES:
        raise ValueError("must be one of " + ", ".join(label(c) for c in CLASSES))
    return wanted


def label(klass: str) -> str:
    return CLASS_LABELS.get(klass, klass)


# Where each medicine stands (pure: from the stored events) ----------------------------------------


@dataclass
class Medicine:
    key: str
    name: str
    klass: str
    schedule: str | None = None
    dose: str | None = None  # the latest started or changed dose
    active: bool = False  # started (or changed) and not stopped since
    started: datetime | None = None
    stopped: datetime | None = None
    taken: list[datetime] = field(default_factory=list)  # as-needed doses

    @property
    def as_needed(self) -> bool:
        return not self.active and bool(self.taken)


def standing(medications: list[dict], events: list, until: datetime | None = None) -> list[Medicine]:
    """Each medicine as of ``until`` (default: after every event), from its rows and events (oldest first)."""
    found = {row["key"]: Medicine(row["key"], row["name"], row["class"], row["schedule"]) for row in medications}
    for event in events:
        if until is not None and event.at >= until:
            break
        medicine = found.get(event.medication)
        if medicine is None:
            continue
        if event.event in ("start", "change"):
            if not medicine.active:  # a start (or a change) after a stop begins a new stretch
                medicine.started = event.at
            medicine.active, medicine.stopped = True, None
            medicine.dose = event.dose or medicine.dose
        elif event.event == "stop":
            medicine.active, medicine.stopped = False, event.at
        else:
            medicine.taken.append(event.at)
    return sorted(found.values(), key=lambda m: (not m.active, m.name.lower()))


def active_on(events: list, day: date) -> bool:
    """Was this medicine (its events, oldest first) being taken on ``day``? A stop that day still counts."""
    active = False
    for event in events:
        if event.at.date() > day:
            break
        if event.event in ("start", "change"):
            active = True
        elif event.event == "stop":
            active = event.at.date() == day and active
    return active


def near_sessions(medications: list[dict], events: list, session_times: list[datetime]) -> list[dict]:
    """Medicines of a raised class active on a session's day, or taken within 24 h of a session.

    One item per medicine: {name, class, sessions: [local dates], how: "active" | "taken"}.
    """
    classes = {row["key"]: row for row in medications if row["class"] in RAISED}
    by_medicine: dict[str, list] = {}
    for event in events:
        if event.medication in classes:
            by_medicine.setdefault(event.medication, []).append(event)
    window = timedelta(hours=NEAR_SESSION_HOURS)
    found = []
    for medication, own in by_medicine.items():
        days, how = [], set()
        for moment in session_times:
            if active_on(own, moment.date()):
                days.append(moment.date().isoformat())
                how.add("active")
            elif any(e.event == "took" and abs(e.at - moment) <= window for e in own):
                days.append(moment.date().isoformat())
                how.add("taken")
        if days:
            row = classes[medication]
            found.append({"name": row["name"], "class": row["class"], "sessions": days, "how": sorted(how)})
    return sorted(found, key=lambda item: (CLASSES.index(item["class"]), item["name"].lower()))
