"""The theme's Jinja environment: the direct call path must not change what templates get."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import pass_context, pass_environment

from counterpoint.source.i18n import translator
from counterpoint.theme.jinja_runtime import PlainCallContext, plain_callable
from counterpoint.theme.theme import load_theme


@pytest.fixture()
def env(tmp_path: Path):
    environment = load_theme(tmp_path, "default").environment()
    assert environment.context_class is PlainCallContext
    return environment


class Greeter:
    def hello(self, name: str, punct: str = "!") -> str:
        return f"hello {name}{punct}"


def test_plain_callables_are_called_with_their_arguments(env) -> None:
    def shout(text: str, times: int = 1) -> str:
        return text.upper() * times

    t = translator("ru")
    out = env.from_string(
        "{{ shout('a', times=2) }}|{{ g.hello('b', punct='?') }}|{{ t('upd') }}|{{ t('answered_before', date='x') }}"
        "|{{ ' x '.strip() }}|{{ d.isoformat() }}"
    ).render(shout=shout, g=Greeter(), t=t, d=__import__("datetime").date(2026, 1, 2))
    assert out == f"AA|hello b?|{t('upd')}|{t('answered_before', date='x')}|x|2026-01-02"
    assert all(plain_callable(f) for f in (shout, Greeter().hello, t, "".strip))


def test_context_and_environment_functions_still_get_them(env) -> None:
    @pass_context
    def who(context, suffix: str) -> str:
        return context["name"] + suffix

    @pass_environment
    def trims(environment, _: str) -> str:
        return str(environment.trim_blocks)

    class Callable:
        @pass_context
        def __call__(self, context) -> str:
            return "ctx:" + context["name"]

    assert not plain_callable(who) and not plain_callable(trims) and not plain_callable(Callable())
    out = env.from_string(
        "{{ who('!') }} {{ trims('x') }} {{ c() }} {% for i in [1] %}{{ who(i|string) }}{% endfor %}"
    ).render(who=who, trims=trims, c=Callable(), name="N")
    assert out == "N! True ctx:N N1"


def test_stop_iteration_becomes_undefined(env) -> None:
    def empty() -> str:
        raise StopIteration

    assert env.from_string("[{{ empty() }}]").render(empty=empty) == "[]"


def test_an_undefined_name_printed_is_an_error_tested_or_defaulted_is_not(env) -> None:
    # a misspelt name or attribute printed nothing without a word; a free mapping's
    # missing key (extra: in front matter) still prints nothing, as Hugo's .Params
    from jinja2 import UndefinedError

    for text in ("{{ titel }}", "{{ essay.titel }}", "<a title='{{ essay.titel }}'>"):
        with pytest.raises(UndefinedError):
            env.from_string(text).render(essay=Greeter())
    out = env.from_string(
        "[{% if titel %}x{% endif %}{{ titel | default('d') }}{{ extra.hero }}"
        "{% if essay.titel is defined %}y{% endif %}{% for x in titel %}z{% endfor %}]"
    ).render(essay=Greeter(), extra={"other": 1})
    assert out == "[d]"


def test_template_globals_stay_with_their_template(env) -> None:
    # each template's globals are one plain dict, made when it loads: the environment's
    # globals set before, the template's own on top, nothing shared between templates
    env.globals["site_name"] = "S"
    own = env.from_string("{{ site_name }}-{{ extra | default('none') }}", globals={"extra": "A"})
    other = env.from_string("{{ site_name }}-{{ extra | default('none') }}")
    assert own.render() == "S-A" and other.render() == "S-none"
    assert own.render(extra="B") == "S-B"  # render arguments win over globals
    assert "extra" not in env.globals and type(own.globals) is dict


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text(str):
    pass


OUTPUTS = (
    "{{ v }}|{{ v ~ '&' }}|{{ [v, v] | join(',') }}|{% set s %}<{{ v }}>{% endset %}{{ s }}|{{ s | length }}"
    "|{% macro m(x) %}({{ x }}{% if caller %}{{ caller() }}{% endif %}){% endmacro %}{{ m(v) }}|{% call m('c') %}{{ v }}{% endcall %}"
    "|{% filter upper %}{{ v }}{% endfilter %}|{% for i in [1, 2] %}{{ v }}{{ loop.index }}{% endfor %}"
    "|{% autoescape false %}{{ v }}{% endautoescape %}|{% include 'inc.html' %}|{{ v | e }}|{{ v | safe }}"
)


@pytest.mark.parametrize(
    "value",
    ["a <b> & \"c\" 'd'", "", "plain", 3, 2.5, None, _Html(), _Text("<i>"), ["<x>"], {"k": "<v>"}],
    ids=repr,
)
def test_output_escaping_is_jinjas_own(env, value) -> None:
    # the theme's templates escape output with output_escape; every way a value reaches
    # the page must render as Jinja's own escaping renders it
    from jinja2 import DictLoader, Environment
    from markupsafe import Markup

    from counterpoint.theme.jinja_runtime import output_escape

    templates = {"page.html": OUTPUTS, "inc.html": "[{{ v }}]"}
    env.loader = DictLoader(templates)
    ours = env.get_template("page.html")
    assert ours.root_render_func.__globals__["escape"] is output_escape
    jinjas = Environment(loader=DictLoader(templates), autoescape=True).get_template("page.html")
    assert ours.render(v=value) == jinjas.render(v=value)
    assert ours.render(v=Markup("<em>x</em>")) == jinjas.render(v=Markup("<em>x</em>"))


@given(st.text())
def test_output_escape_escapes_text_as_markupsafe_does(text: str) -> None:
    from markupsafe import escape

    from counterpoint.theme.jinja_runtime import output_escape

    assert output_escape(text) == str(escape(text))


def test_classes_and_cached_functions_get_the_context_only_when_marked(env) -> None:
    from functools import lru_cache

    from markupsafe import Markup

    @lru_cache
    def twice(text: str) -> str:
        return text * 2

    @lru_cache
    @pass_context
    def named(context, suffix: str) -> str:
        return context["name"] + suffix

    @pass_context
    class Marked:
        def __init__(self, context, suffix: str):
            self.text = context["name"] + suffix

        def __str__(self) -> str:
            return self.text

    class Plain:
        def __init__(self, text: str):
            self.text = text

        def __str__(self) -> str:
            return self.text.upper()

    assert plain_callable(twice) and plain_callable(Markup) and plain_callable(Plain)
    assert not plain_callable(named) and not plain_callable(Marked)
    out = env.from_string(
        "{{ twice('a') }} {{ named('!') }} {{ Marked('?') }} {{ Plain('p') }} {{ Markup('<i>') }}"
    ).render(twice=twice, named=named, Marked=Marked, Plain=Plain, Markup=Markup, name="N")
    assert out == "aa N! N? P <i>"
