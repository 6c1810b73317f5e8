"""Question formats of other tools: reading them into a `scr-cpd/bank@1` dict, writing banks out.

- `builder`: what every reader shares (the bank being built, its problems, ids, decoding).
- `gift_read` (+ `gift_answers`) and `gift_write`: Moodle GIFT; `html_text`: HTML to plain text.
- `aiken`: Aiken.

Readers never raise on bad input: what they cannot carry comes back as a `Problem` with a line.
The import pipeline (read the file safely, pick a reader, check the result) is
`scr_cpd.content.importing`.
"""
