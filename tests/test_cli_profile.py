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
