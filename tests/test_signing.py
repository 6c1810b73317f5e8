"""Signing a CPD log and telling an untouched log from an edited one (progress.log.signing)."""

import copy
import json
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import json_values
from hypothesis import given, settings
from pydantic_core import from_json

from scr_cpd.progress.log import signing
from scr_cpd.progress.log.schema import Log
from scr_cpd.progress.log.signing import (
    KeyFileError,
    Verdict,
    digest_matches,
    fingerprint,
    key_fingerprint,
    load_or_create_key,
    normalise_fingerprint,
    public_raw,
    sha256,
    sign_log,
    sign_review,
    verify_log,
)


def make_log(name="PC 1234 Jones", staff="1234", reflections=3, seed=0):
    """An unsigned `scr-cpd/log@1` document: two modules, some attempts, `reflections` reflections
    with ids r-1, r-2, …; valid against the schema."""
    stamp = f"2026-0{1 + seed % 9}-1{seed % 10}T10:00:00+00:00"
    doc = {
        "format": "scr-cpd/log@1",
        "generated_at": f"2026-11-2{seed % 10}T09:30:0{seed % 10}+00:00",
        "app": {"name": "scr-cpd", "version": "0.1.0"},
        "profile": {
            "name": name,
            "role": "PC",
            "force": "Northshire Police",
            "staff_number": staff,
        },
        "period": {"since": "2026-01-01", "until": None},
        "banks": [
            {"id": "neglect", "title": "Recognising and responding to neglect", "version": "1.0"},
            {
                "id": "escalation",
                "title": "Professional disagreement and escalation",
                "version": "1.0",
            },
        ],
        "modules": [
            {
                "id": "neglect",
                "title": "Recognising and responding to neglect",
                "bank_version": "1.0",
                "status": "passed",
                "questions": 16,
                "pass_mark": 0.7,
                "best_score": 0.8125,
                "completions": 1,
                "attempts": 16,
                "correct": 13,
                "seconds": 1260.5,
                "first_activity": stamp,
                "last_activity": stamp,
            },
            {
                "id": "escalation",
                "title": "Professional disagreement and escalation",
                "bank_version": "1.0",
                "status": "in progress",
                "questions": 12,
                "pass_mark": 0.7,
                "best_score": None,
                "completions": 0,
                "attempts": 2,
                "correct": 1,
                "seconds": 95.0,
                "first_activity": stamp,
                "last_activity": stamp,
            },
        ],
        "activities": [
            {
                "kind": "module",
                "module_id": "neglect",
                "title": "Recognising and responding to neglect",
                "started_at": stamp,
                "ended_at": stamp,
                "status": "completed",
                "questions": 16,
                "correct": 13,
                "seconds": 1260.5,
            },
        ],
        "attempts": [  # as many as the module records say, so no plausibility flag is raised
            {
                "module_id": module,
                "question_id": f"q-{n}",
                "revision": 1,
                "content_hash": f"{n:016x}",
                "correct": right,
                "confidence": "sure" if n % 2 else None,
                "answered_at": stamp,
                "seconds": seconds,
            }
            for n, (module, right, seconds) in enumerate(
                [("neglect", n < 13, 78.78125) for n in range(16)]
                + [("escalation", n == 0, 47.5) for n in range(2)]
            )
        ],
        "reflections": [
            {
                "id": f"r-{n}",
                "module_id": "neglect",
                "module_title": "Recognising and responding to neglect",
                "prompt_id": "r-own-practice",
                "prompt": "Think of a home visit where poverty was present…",
                "what": f"Reflection {n}: I did not speak to the children on their own.",
                "so_what": "Their lived experience was missed.",
                "now_what": "I will ask to see each child's room.",
                "learning_points": [
                    {"id": "rarely-alone", "text": "Neglect rarely occurs on its own."}
                ],
                "tags": ["emotionally-aware"],
                "created_at": stamp,
                "updated_at": stamp,
                "seconds": 600.0,
            }
            for n in range(1, reflections + 1)
        ],
        "totals": {
            "cpd_hours": 0.69,
            "seconds": 2480.5,
            "modules_available": 12,
            "modules_completed": 1,
            "modules_passed": 1,
            "questions_answered": 18,
            "reflections": reflections,
        },
        "identifiers": [],
    }
    Log.model_validate(doc)
    return doc


def new_key(seed=1):
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def signed_log(seed=1, **kwargs):
    return sign_log(make_log(seed=seed, **kwargs), new_key(seed))


def trusted_for(*keys):
    return {key_fingerprint(k): f"officer {n}" for n, k in enumerate(keys)}


# --- keys ---------------------------------------------------------------------------------------


def test_key_is_created_once_owner_only_and_reused(tmp_path):
    key = load_or_create_key(tmp_path)
    path = tmp_path / "keys" / "signing-key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_fingerprint(load_or_create_key(tmp_path)) == key_fingerprint(key)
    assert signing.own_fingerprint(tmp_path) == key_fingerprint(key)


def test_creating_a_key_never_replaces_one_made_meanwhile(tmp_path):
    first = load_or_create_key(tmp_path)
    signing._create_key(signing.key_path(tmp_path))  # a second process losing the race
    assert key_fingerprint(load_or_create_key(tmp_path)) == key_fingerprint(first)
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["signing-key.pem"]


def test_a_damaged_key_file_is_one_sentence(tmp_path):
    path = signing.key_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n")
    with pytest.raises(KeyFileError, match="is damaged; restore it from a backup"):
        load_or_create_key(tmp_path)


def test_the_own_fingerprint_is_read_alike_from_any_layout_of_the_key_file(tmp_path):
    """The key file as scr-cpd writes it is read without cryptography's key-file reader; any
    other layout of the same key (CRLF line ends, here) gives the same fingerprint, and a damaged
    file the same sentence as before."""
    key = load_or_create_key(tmp_path)
    path = signing.key_path(tmp_path)
    assert signing.own_fingerprint(tmp_path) == key_fingerprint(key)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert signing.own_fingerprint(tmp_path) == key_fingerprint(key)
    path.write_text(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(KeyFileError, match="is damaged; restore it from a backup"):
        signing.own_fingerprint(tmp_path)


def test_the_signing_key_is_read_alike_from_any_layout_of_the_key_file(tmp_path):
    """load_or_create_key reads scr-cpd's own layout from its seed (no key-file reader): the key
    is the one cryptography's reader gives, in that layout and in any other; a damaged file
    still gets the one sentence."""
    from cryptography.hazmat.primitives import serialization

    def private(key):
        return key.private_bytes_raw()

    first = load_or_create_key(tmp_path)
    path = signing.key_path(tmp_path)
    full = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert private(load_or_create_key(tmp_path)) == private(full) == private(first)
    assert public_raw(first) == full.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert private(load_or_create_key(tmp_path)) == private(full)
    path.write_text(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(KeyFileError, match="is damaged; restore it from a backup"):
        load_or_create_key(tmp_path)


def test_no_own_fingerprint_without_a_key(tmp_path):
    assert signing.own_fingerprint(tmp_path) is None
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    "text",
    [
        "AB12 CD34 ef56 7890 abcd ef01 2345 6789",
        "ab12cd34ef567890abcdef0123456789",
        "ab12:cd34:ef56:7890:abcd:ef01:2345:6789",
    ],
)
def test_fingerprints_are_normalised(text):
    assert normalise_fingerprint(text) == "ab12:cd34:ef56:7890:abcd:ef01:2345:6789"


@pytest.mark.parametrize(
    "text", ["", "ab12", "zz12cd34ef567890abcdef0123456789", "ab12cd34ef567890abcdef01234567890"]
)
def test_not_a_fingerprint(text):
    assert normalise_fingerprint(text) is None


# --- the officer's signature --------------------------------------------------------------------


def test_signed_log_is_valid_for_a_trusted_key_and_unknown_otherwise():
    key = new_key()
    doc = sign_log(make_log(), key)
    Log.model_validate(doc)
    fp = fingerprint(public_raw(key))
    assert doc["integrity"]["fingerprint"] == fp
    verdict = verify_log(doc, {fp: "PC 1234 Jones"})
    assert (verdict.status, verdict.signer, verdict.ok) == ("valid", "PC 1234 Jones", True)
    assert verdict.line() == f"valid (signed by key {fp}, PC 1234 Jones)"
    unknown = verify_log(doc)
    assert unknown.status == "unknown signer" and fp in unknown.detail and not unknown.ok


def test_signing_keeps_part_order_and_sorts_inside_parts():
    doc = signed_log()
    assert list(doc)[:3] == ["format", "generated_at", "app"]
    assert list(doc["reflections"][0]) == sorted(doc["reflections"][0])
    assert list(doc["integrity"]) == sorted(doc["integrity"])


def test_reindenting_or_reordering_keys_is_not_an_edit():
    key = new_key()
    doc = sign_log(make_log(), key)
    rewritten = json.loads(json.dumps(doc, indent=4, sort_keys=True))
    rewritten["reflections"][0] = dict(reversed(list(rewritten["reflections"][0].items())))
    assert verify_log(rewritten, trusted_for(key)).status == "valid"


def test_unsigned_log():
    verdict = verify_log(make_log())
    assert (verdict.status, verdict.detail) == ("unsigned", "the log carries no signature")


def test_a_hand_edit_of_profile_and_totals_is_not_called_a_swap():
    doc = signed_log()
    doc["profile"]["name"] = "PC 1234 Jonesy"
    doc["totals"]["cpd_hours"] = 12.0
    assert verify_log(doc).detail == "changed after signing: profile, totals"


def test_an_edited_reflection_is_named():
    doc = signed_log()
    doc["reflections"][1]["now_what"] = "Something better written later."
    verdict = verify_log(doc)
    assert verdict.status == "edited"
    assert verdict.changed == ["reflection r-2"]
    assert verdict.detail == "changed after signing: reflection r-2"


@pytest.mark.parametrize(
    "edit, changed",
    [
        (lambda d: d["totals"].update(cpd_hours=40.0), ["totals"]),
        (lambda d: d["profile"].update(name="PC 9999 Smith"), ["profile"]),
        (lambda d: d["modules"][1].update(status="passed", best_score=1.0), ["modules"]),
        (lambda d: d["reflections"].pop(0), ["reflection r-1 removed", "the order of reflections"]),
        (lambda d: d["reflections"].reverse(), ["the order of reflections"]),
        (
            lambda d: d["reflections"].append(copy.deepcopy(d["reflections"][0])),
            ["reflection r-1#2 added", "the order of reflections"],
        ),
        (lambda d: d.update(extra={"x": 1}), ["extra added"]),
        (lambda d: d.pop("identifiers"), ["identifiers removed"]),
        (lambda d: d.update({"reflections:order": []}), ["unexpected part 'reflections:order'"]),
    ],
)
def test_every_kind_of_edit_is_detected(edit, changed):
    doc = signed_log()
    edit(doc)
    verdict = verify_log(doc)
    assert verdict.status == "edited"
    assert verdict.changed == changed


def test_an_edit_to_one_of_two_reflections_sharing_an_id_is_detected():
    doc = make_log(reflections=2)
    doc["reflections"][1]["id"] = "r-1"
    doc = sign_log(doc, new_key())
    assert verify_log(doc).status == "unknown signer"
    doc["reflections"][0]["what"] = "changed"
    assert verify_log(doc).changed == ["reflection r-1"]


@pytest.mark.parametrize("same_export_time", [False, True])
def test_a_signature_block_swapped_from_another_officers_log(same_export_time):
    jones = signed_log(seed=1, name="PC 1234 Jones")
    smith_log = make_log(seed=2, name="PC 5678 Smith", staff="5678", reflections=4)
    if same_export_time:
        smith_log["generated_at"] = jones["generated_at"]
    smith = sign_log(smith_log, new_key(2))
    jones["integrity"] = smith["integrity"]
    verdict = verify_log(jones, trusted_for(new_key(1), new_key(2)))
    assert verdict.status == "edited"
    assert verdict.detail.startswith("the signature belongs to a different log: ")
    assert "profile" in verdict.detail


@pytest.mark.parametrize(
    "edit, detail",
    [
        (
            lambda i: i.update(signature=i["signature"][:-4] + "AAA="),
            "the signature block does not match its key",
        ),
        (
            lambda i: i.update(public_key=signing.b64(public_raw(new_key(7)))),
            "the signature block does not match its key",
        ),
        (
            lambda i: i.update(fingerprint="0000:0000:0000:0000:0000:0000:0000:0000"),
            "fingerprint or algorithm was changed",
        ),
        (lambda i: i.pop("digests"), "the signature block is incomplete or altered"),
        (lambda i: i.update(signature="not base64!"), "the signature block does not match its key"),
        (lambda i: i.update(public_key=42), "the signature block is incomplete or altered"),
    ],
)
def test_a_tampered_signature_block(edit, detail):
    doc = signed_log()
    edit(doc["integrity"])
    verdict = verify_log(doc)
    assert verdict.status == "edited" and detail in verdict.detail


def test_a_signature_block_that_is_not_an_object():
    doc = signed_log()
    doc["integrity"] = "signed, honestly"
    assert verify_log(doc).status == "edited"


# --- the supervisor's review --------------------------------------------------------------------


def reviewed(officer=1, supervisor=9, comments=None):
    doc = signed_log(seed=officer)
    person = {
        "name": "Sgt 4321 Patel",
        "role": "Sergeant",
        "force": "Northshire Police",
        "staff_number": "4321",
    }
    return sign_review(
        doc,
        new_key(supervisor),
        person,
        "2026-11-27T10:00:00+00:00",
        "discuss",
        "Good start.",
        comments or [{"reflection": "r-2", "comment": "Say more."}],
    )


def test_a_review_is_valid_when_both_keys_are_trusted():
    doc = reviewed()
    Log.model_validate(doc)
    verdict = verify_log(doc, trusted_for(new_key(1), new_key(9)))
    assert (verdict.status, verdict.review_status, verdict.ok) == ("valid", "valid", True)
    assert "discuss" in verdict.review_detail and verdict.reviewer == "officer 1"
    assert verdict.line().endswith(
        f"; review: valid (discuss, signed by key {key_fingerprint(new_key(9))}, officer 1)"
    )


def test_a_review_by_an_unknown_key():
    verdict = verify_log(reviewed(), trusted_for(new_key(1)))
    assert (
        verdict.status == "valid" and verdict.review_status == "unknown signer" and not verdict.ok
    )


@pytest.mark.parametrize(
    "edit, detail",
    [
        (lambda r: r.update(outcome="accepted"), "the review was changed after it was signed"),
        (
            lambda r: r["comments"][0].update(comment="Excellent."),
            "the review was changed after it was signed",
        ),
        (
            lambda r: r["supervisor"].update(name="Insp Grey"),
            "the review was changed after it was signed",
        ),
        (lambda r: r.pop("signature"), "incomplete"),
        (
            lambda r: r.update(fingerprint="1111:1111:1111:1111:1111:1111:1111:1111"),
            "the review was changed",
        ),
    ],
)
def test_an_edited_review_block(edit, detail):
    doc = reviewed()
    edit(doc["review"])
    verdict = verify_log(doc, trusted_for(new_key(1), new_key(9)))
    assert verdict.status == "valid"
    assert verdict.review_status == "edited" and detail in verdict.review_detail


def test_editing_the_officers_part_after_review_breaks_both():
    doc = reviewed()
    doc["reflections"][0]["what"] = "rewritten after the sergeant read it"
    verdict = verify_log(doc, trusted_for(new_key(1), new_key(9)))
    assert verdict.status == "edited"
    assert (verdict.review_status, verdict.review_detail) == (
        "edited",
        "the officer's part changed after the review was signed",
    )


def test_a_review_moved_onto_another_log():
    other = signed_log(seed=3, name="PC 7 Brown")
    other["review"] = reviewed()["review"]
    verdict = verify_log(other, trusted_for(new_key(3), new_key(9)))
    assert verdict.status == "valid" and verdict.review_status == "edited"


def test_re_reviewing_replaces_the_earlier_review():
    doc = reviewed()
    again = sign_review(doc, new_key(8), {"name": "Insp Grey"}, "2026-12-01", "accepted")
    assert again["review"]["supervisor"] == {"name": "Insp Grey"}
    assert verify_log(again, trusted_for(new_key(1), new_key(8))).ok


def test_verdict_line_without_detail():
    assert Verdict("damaged").line() == "damaged"


# --- the fast encoder agrees with the canonical one ---------------------------------------------


@settings(max_examples=120, deadline=None)
@given(json_values)
def test_digest_of_a_value_read_back_from_its_export_matches(value):
    written = json.dumps(signing.deep_sorted(value), indent=2, ensure_ascii=False)
    expected = sha256(value)
    assert digest_matches(from_json(written), expected)
    assert digest_matches(json.loads(written), expected)


@settings(max_examples=80, deadline=None)
@given(json_values, json_values)
def test_different_values_never_match(a, b):
    if json.loads(json.dumps(a)) != json.loads(json.dumps(b)):
        assert not digest_matches(b, sha256(a))
