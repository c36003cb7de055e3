"""A skill whose name is also a person's or a place's (issue 23): counted where its line is
technical, never in a contact header or an address."""

from __future__ import annotations

import pytest

from matcher.skills import extract_skills


def _names(text: str) -> set[str]:
    return {skill.name for skill in extract_skills(text)}


RESUME_HEAD = "Emma Rust\n{contact}\n\nSummary\nData analyst with SQL and Excel.\n"


@pytest.mark.parametrize(
    "contact",
    [
        "12 Jenkins Road, Leeds LS6 2AB | emma@example.com",
        "Flat 3, 40 Swift Street, Bristol | +44 7700 900123",
        "emma.rust@example.com | Julia Court, Austin, TX 78701",
    ],
)
def test_names_in_a_contact_header_are_no_skills(contact):
    found = _names(RESUME_HEAD.format(contact=contact))
    assert found.isdisjoint({"rust (language)", "jenkins", "swift (language)", "julia (language)"})
    assert {"sql", "microsoft excel"} <= found


@pytest.mark.parametrize(
    "line",
    [
        "Reported to Anna Jenkins, head of the finance team.",
        "Our office on Jenkins Road is a short walk from the station.",
        "Ruby Ward is a 13-bed ward for older adults.",
        "Please call Margaret Jenkins on 01524 550500.",
        "Worked with Peter Rust and the audit committee on the annual report.",
    ],
)
def test_a_name_in_prose_without_technical_context_is_no_skill(line):
    text = f"Experience\n{line}\nManaged budgets and stakeholders.\n"
    assert _names(text).isdisjoint({"jenkins", "ruby", "rust (language)"})


@pytest.mark.parametrize(
    ("line", "skill"),
    [
        ("Tools: Jenkins, Docker, Terraform", "jenkins"),
        ("Built CI pipelines in Jenkins for 40 services.", "jenkins"),
        ("Wrote services in Rust and Go.", "rust (language)"),
        ("Maintained the Ruby codebase and its test suite.", "ruby"),
        ("Deployed Kafka and Spark on Kubernetes.", "apache spark"),
    ],
)
def test_a_name_on_a_technical_line_is_the_skill(line, skill):
    text = f"Experience\n{line}\nManaged budgets and stakeholders.\n"
    assert skill in _names(text)


def test_a_name_in_a_list_introduced_as_technical_is_the_skill():
    text = (
        "The successful candidate will have experience developing systems using:\n\n"
        "\u2022 Java/JEE\n\u2022 Spring\n\u2022 Hibernate\n\n"
        "Experience in any of the following technologies is beneficial:\n\n"
        "\u2022 Selenium or similar automation test framework\n\n\u2022 Docker\n\n"
        "For further details contact the ward manager.\n"
    )
    assert {"spring framework", "docker"} <= _names(text)


def test_a_name_in_a_list_of_wards_is_no_skill():
    text = (
        "Our wards:\n\u2022 Ruby Ward \u2013 13 bed female ward\n\u2022 Jasmine Ward \u2013 "
        "12 beds\n\nWe value compassion.\n"
    )
    assert "ruby" not in _names(text)


def test_under_a_skills_heading_a_name_is_the_skill():
    text = "Jane Doe\njane@example.com\n\nSkills\nRust, Python\nJenkins\n\nExperience\nAnalyst.\n"
    assert {"rust (language)", "jenkins", "python"} <= _names(text)


def test_a_name_written_in_lower_case_is_the_skill():
    # Names are written with a capital: "kafka" in a sentence names no one.
    assert "apache kafka" in _names("Experience\nYou know kafka.\nManaged budgets.\n")
    assert "jenkins" in _names("Experience\nThe jenkins job failed.\nManaged budgets.\n")
