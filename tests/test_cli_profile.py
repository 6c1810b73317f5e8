from helpers import cpd

from scr_cpd.progress.store import Store


def test_profile_flags_are_scriptable(isolated_home):
    result = cpd(
        "profile",
        "--name",
        "Sam Jones",
        "--role",
        "PC",
        "--force",
        "Example Constabulary",
        "--staff-number",
        "1234",
        home=isolated_home,
    )
    assert result.exit_code == 0, result.output
    assert Store.open(isolated_home).profile() == {
        "name": "Sam Jones",
        "role": "PC",
        "force": "Example Constabulary",
        "staff_number": "1234",
    }
    assert "Name: Sam Jones" in result.output


def test_profile_interactive_keeps_blank_answers(isolated_home):
    cpd("profile", "--name", "Sam Jones", "--role", "PC", home=isolated_home)
    result = cpd("profile", input="\nSergeant\nExample Constabulary\n\n", home=isolated_home)
    assert result.exit_code == 0, result.output
    profile = Store.open(isolated_home).profile()
    assert (
        profile["name"] == "Sam Jones"
        and profile["role"] == "Sergeant"
        and profile["force"] == "Example Constabulary"
    )


def test_profile_show(isolated_home):
    result = cpd("profile", "--show", home=isolated_home)
    assert "Name: (not set)" in result.output


def test_a_hidden_character_in_a_profile_field_is_refused_and_nothing_is_saved(isolated_home):
    cpd("profile", "--name", "Sam Jones", home=isolated_home)
    for sneaky in ("PC 7 Eve\x1b[2J\x1b[31mEVIL", "Eve\u202eNOSLIW", "Eve\u200bJones"):
        result = cpd("profile", "--name", sneaky, "--role", "DS", home=isolated_home)
        assert result.exit_code == 1, result.output
        assert "the name holds a hidden character <U+" in result.output
        assert "\x1b" not in result.output and "Traceback" not in result.output
        assert Store.open(isolated_home).profile() == {"name": "Sam Jones"}  # not even the role


def test_a_profile_field_is_one_line(isolated_home):
    result = cpd("profile", "--name", "PC 7\n  Eve \t Jones", home=isolated_home)
    assert result.exit_code == 0, result.output
    assert Store.open(isolated_home).profile()["name"] == "PC 7 Eve Jones"


def test_the_profile_prompt_asks_again_after_a_hidden_character(isolated_home):
    result = cpd("profile", input="Bad\u202eName\nPC 8 Good\nDS\n\n\n", home=isolated_home)
    assert result.exit_code == 0, result.output
    assert "The name holds a hidden character <U+202E>; type it again without it." in result.output
    assert Store.open(isolated_home).profile() == {"name": "PC 8 Good", "role": "DS"}
