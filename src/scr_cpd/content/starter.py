"""`cpd bank new`: a commented starter bank with one example of every question type.

The starter must itself be a valid bank with no warnings, so that a trainer who runs
`cpd bank validate` on it straight away sees a clean result and learns what clean looks like.
"""

from __future__ import annotations

import re

from scr_cpd.common.text import slugify
from scr_cpd.content.vocabulary import ID_PATTERN, MAX_ID_LENGTH

SLUG = re.compile(ID_PATTERN)

_TEMPLATE = """\
# yaml-language-server: $schema=bank.schema.json
# A question bank for scr-cpd (format scr-cpd/bank@1): one module per file.
#   Check it:        cpd bank validate {id}.yaml
#   Editor support:  cpd bank schema -o bank.schema.json   (the first line points at it)
#   Use it:          cpd bank install {id}.yaml
# Lines starting with # are comments: delete the ones you no longer need.

format: scr-cpd/bank@1           # always this: the format and its major version
{id_line}# lower-case letters, digits and hyphens; unique across all banks
title: {title}
version: "1.0"                   # your version of this bank; put it in quotes
summary: >-
  One paragraph on what the module covers and who it is for. The ">-" above lets a long text
  run over several lines; they are joined with spaces.
estimated_minutes: 15            # how long a first run through takes
pass_mark: 0.7                   # the share of questions to get right to pass (0 to 1)
source:                          # the default citation for every question below
  title: Title of the document your questions come from
  section: The section they test
  page: 1

learning_points:                 # what an officer should take away; questions point at these ids
  - id: see-the-child
    text: >-
      Always see and speak to every child in the household yourself, and record what you saw,
      even when the adults say all is well.
  - id: record-and-share
    text: >-
      What you record and share after a visit may be the piece another agency is missing, so
      write it down and send it on the same day.

questions:
  # Progress is kept per question id, so never reuse or rename an id. Fixing a typo is fine.
  # If you change what a question means (a different right answer, a new scenario), add or
  # bump "revision: 2" on it, so that earlier answers no longer count towards the new version.

  - id: q-see-the-baby           # single: one correct option
    type: single
    tags: [scenario]             # "scenario" marks a you-are-there question
    prompt: >-
      You attend a report of shouting at a flat. The couple say it was a minor row and it is
      over. You can hear a baby in the back room. What do you do before you leave?
    options:
      - text: Ask to see the baby and check how and where the baby is sleeping.
        correct: true
        feedback: Right. Seeing the baby yourself is the only way to know the baby is safe.
      - text: Take the parents' word that the baby is asleep and fine.
        feedback: >-
          Tempting, because waking a baby can inflame things, but an adult's word is not a
          check on a baby's welfare.
      - text: Leave, as no offence has been disclosed.
        feedback: The absence of an offence does not mean the children in the home are safe.
    explanation: >-
      Shown after every answer, right or wrong: teach the why, not just "correct". Babies
      cannot speak for themselves, so the officer's own eyes are the check.
    learning_points: [see-the-child]
    source: {{page: 2}}           # overrides fields of the module's source for this question
    shuffle: true                # false keeps the options in the order written here

  - id: q-what-to-record         # multiple: every correct option must be chosen
    type: multiple
    prompt: After a home visit where children live, which of these belong in your record?
    options:
      - text: The name and age of every child you saw
        correct: true
      - text: Where each child was sleeping
        correct: true
      - text: Only what the adults told you
        feedback: Record what you saw as well as what you were told; the two may differ.
      - text: Nothing, if no crime was reported
        feedback: A visit with no crime can still hold the detail another agency needs.
    explanation: >-
      A record that says what you saw, child by child, lets others build a picture over time.
    learning_points: [record-and-share]

  - id: q-tidy-home              # true_false
    type: true_false
    prompt: A clean and tidy home shows that the children living there are well cared for.
    answer: false
    correct_feedback: Right; a tidy home says little about how the children are cared for.
    incorrect_feedback: A tidy home can hide neglect; look at the children themselves.
    explanation: >-
      Appearances of the home are reassuring but are no substitute for seeing each child.
    learning_points: [see-the-child]

  - id: q-reviews-death          # numeric: answer, with an optional tolerance and unit
    type: numeric
    prompt: >-
      Of the 235 serious case reviews in the 2017-19 analysis, how many concerned the death of
      a child?
    answer: 131
    tolerance: 0                 # 0 means exactly; 2 would accept 129 to 133
    explanation: >-
      131 of the 235 reviews concerned a child who died; the rest concerned serious harm.
    learning_points: [record-and-share]

  - id: q-abe-words              # short_answer: any of the answers, case and spaces ignored
    type: short_answer
    prompt: In a video-recorded interview of a child witness, what does ABE stand for?
    answers:
      - Achieving Best Evidence
      - Achieving the Best Evidence
    explanation: >-
      Achieving Best Evidence is the guidance on interviewing victims and witnesses, including
      children, so that their account can be used in court.
    learning_points: [record-and-share]

  - id: q-match-terms            # matching: the officer pairs each left with its right
    type: matching
    prompt: Match each abbreviation with what it stands for.
    pairs:
      - left: MASH
        right: Multi-agency safeguarding hub
      - left: LADO
        right: Local authority designated officer
      - left: SCR
        right: Serious case review
    explanation: >-
      Knowing who is who in the safeguarding system helps you share information with the right
      people quickly.
    learning_points: [record-and-share]

reflections:                     # prompts offered after the quiz; officers answer in their own words
  - id: r-a-visit-you-made
    prompt: >-
      Think of a visit where you did not see every child in the home. What stopped you, and what
      would you do differently now?
    learning_points: [see-the-child]
"""


class StarterRefused(ValueError):
    """The id cannot be a module id; the message is one sentence with a suggestion."""


def suggest_id(text: str) -> str:
    """A valid module id made from whatever the trainer typed ("Neglect 2" -> "neglect-2")."""
    return slugify(text, max_len=MAX_ID_LENGTH) or "my-module"


def starter_bank(module_id: str, title: str | None = None) -> str:
    """The YAML text of a valid, commented starter bank; `StarterRefused` for an id that is not
    a module id (a slug of at most MAX_ID_LENGTH characters)."""
    if not SLUG.match(module_id):
        raise StarterRefused(
            f"{module_id!r} is not a valid module id: use lower-case letters, digits and single hyphens, e.g. {suggest_id(module_id)}"
        )
    if len(module_id) > MAX_ID_LENGTH:
        raise StarterRefused(
            f"the module id is {len(module_id)} characters long; a module id is at most {MAX_ID_LENGTH}, e.g. {suggest_id(module_id)}"
        )
    title = title or module_id.replace("-", " ").capitalize()
    id_line = f"id: {module_id} ".ljust(33)
    return _TEMPLATE.format(id=module_id, id_line=id_line, title=_yaml_text(title))


def _yaml_text(text: str) -> str:
    """A one-line YAML value that reads back as `text`, quoted only when it must be."""
    import json

    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,()'/-]*", text) and not text.endswith(" ")
    return text if plain else json.dumps(text, ensure_ascii=False)
