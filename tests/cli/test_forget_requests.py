"""Erasure requests: bad input is refused with a clear error before anything changes."""

from __future__ import annotations

import pytest

from clickstream_cli import local
from clickstream_cli.forget_requests import RequestError, read_requests, request_from


def test_a_requests_file_gives_one_person_per_line(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text(
        '{"user_id": "usr_1", "email": ["a@example.org", "b@example.org"]}\n\n'
        '{"anonymous_id": "anon-2"}\n'
    )
    first, second = read_requests(path)
    assert first.user_ids == ("usr_1",) and first.emails == ("a@example.org", "b@example.org")
    assert second.anonymous_ids == ("anon-2",)


@pytest.mark.parametrize(
    "line, message",
    [
        ("not json", "not a JSON object"),
        ('["usr_1"]', "not a JSON object"),
        ('{"userId": "usr_1"}', "unknown keys"),
        ('{"user_id": "  "}', "non-blank"),
        ('{"user_id": 42}', "non-blank"),
        ("{}", "no identifier"),
    ],
)
def test_a_bad_request_line_is_named_in_the_error(tmp_path, line, message):
    path = tmp_path / "requests.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(RequestError, match=message):
        read_requests(path)


def test_the_error_never_repeats_the_identifier(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"user_id": "usr_secret", "nickname": "x"}\n')
    with pytest.raises(RequestError) as error:
        read_requests(path)
    assert "usr_secret" not in str(error.value)


def test_an_empty_request_is_refused():
    with pytest.raises(RequestError, match="no identifier"):
        request_from()


def test_forget_without_a_landing_folder_exits_2_and_changes_nothing(tmp_path, capsys):
    code = local.main(
        ["forget", "--home", str(tmp_path / "home"), "--landing", str(tmp_path / "nope"),
         "--user-id", "usr_1"]
    )  # fmt: skip
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "home").exists()
