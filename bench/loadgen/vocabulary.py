"""What the synthetic history is made of: role shares, interview kinds, names, sources and texts.

Plain data, no database: the generator draws from these with its seeded
``random.Random``, so changing any of them changes every seed's history.
"""

# Share of loops per role: the senior role hires most.
ROLE_SHARES = {
    "applied-ai-engineer": 0.30,
    "junior-applied-ai-engineer": 0.25,
    "associate-applied-ai-engineer": 0.20,
    "junior-ai-engineer": 0.15,
    "associate-responsible-ai-engineer": 0.10,
}
MIDDLE_KINDS = {
    "applied-ai-engineer": ["coding", "system_design", "ml_fundamentals", "practical", "take_home_review"],
    "default": ["coding", "ml_fundamentals", "practical", "take_home_review", "coding"],
}
EXERCISE_KINDS = {"practical", "take_home_review"}

FIRST_NAMES = (
    "Aisha Ben Carla Deniz Elif Farah Gabriel Hugo Ines Jonas Kira Liam Maya Noor Oscar Priya Quinn Rosa "
    "Sven Tara Umar Vera Wen Xavier Yara Zoe Amir Bianca Chen Dara Emeka Freya Goran Hana Ivan Jana Kofi Lina"
).split()
LAST_NAMES = (
    "Abadi Berg Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Larsen Moreau Nakamura Okafor "
    "Petrov Quinn Rossi Silva Tanaka Ueda Varga Wagner Xu Yilmaz Zhou Andersen Bauer Cohen Diallo Evans Ferreira"
).split()
SOURCES = ["Referral", "LinkedIn", "Careers page", "Agency", "Conference", "University fair", "Re-applied"]
EVIDENCE = {
    "low": [
        "Struggled to explain why the evaluation split leaked information; needed two hints.",
        "The solution worked only for the happy path; no tests, and errors were swallowed.",
        "Could not name a metric that would tell the feature was failing in production.",
        "Jumped to a model before asking what the data looked like or how much of it there was.",
        "Answers stayed generic; no concrete example from their own work when asked twice.",
    ],
    "mid": [
        "Solid, idiomatic Python; wrote a test for the empty input once prompted.",
        "Chose a sensible baseline and explained the precision/recall trade-off for this case.",
        "Designed a workable pipeline; the rollback story was thin but reasonable when asked.",
        "Explained the incident clearly and what they would change; some gaps on monitoring.",
        "Asked clarifying questions about the API before starting and kept the scope small.",
    ],
    "high": [
        "Wrote tests for the timeout and empty-input cases unprompted and refactored as they went.",
        "Compared three evaluation designs, picked one with the latency budget in mind and said why.",
        "Proposed a staged rollout with named guardrail metrics and an automatic rollback trigger.",
        "Caught the data leakage in the exercise on their own and quantified its effect.",
        "Explained a complex trade-off to a non-specialist clearly and checked understanding.",
    ],
}
SUMMARIES = {
    "strong_no": "Well below the bar on the core dimensions; would not proceed.",
    "no": "Some strengths, but below the bar on what this role needs day to day.",
    "yes": "Meets the bar on the dimensions I assessed; happy to proceed.",
    "strong_yes": "Clearly above the bar; one of the stronger candidates I have interviewed.",
}
RED_FLAG_NOTES = [
    "Dismissed the privacy question as someone else's problem, twice.",
    "Presented a colleague's project as their own; details did not hold up.",
    "Suggested shipping without any evaluation to hit the deadline.",
]
WITHDRAWN_REASONS = ["Accepted another offer.", "Relocation fell through.", "Salary expectations did not match."]
RATIONALES = {
    "hire": "Panel is consistently at or above the bar; no open concerns after the debrief.",
    "no_hire": "Below the bar on critical dimensions; the debrief confirmed the panel's concerns.",
}
