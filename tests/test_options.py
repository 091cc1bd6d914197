"""Command lines become recipes through the recipes' own fields (train/options.py): what a user types is what the
run records, and a recipe field cannot be forgotten by the parser."""

import dataclasses

import pytest

from train import cli, words
from train.options import recipe_from
from train.recipe import Recipe


def test_the_default_command_is_the_default_recipe():
    assert cli.recipe_from(cli.build_parser().parse_args([])) == Recipe()
    parsed = words.build_parser().parse_args(["--words", "w.jsonl.gz", "--chars", "c.jsonl.gz"])
    assert recipe_from(words.Recipe, parsed) == words.Recipe()


def test_typed_options_reach_the_recipe():
    args = cli.build_parser().parse_args(
        [
            "--epochs",
            "3",
            "--lr-schedule",
            "constant",
            "--pen-data",
            "a.json",
            "b.jsonl",
            "--pen-repeat",
            "10",
            "2",
            "--refit-on-validation",
            "--init-from",
            "some/model",
            "--teacher",
            "t1",
            "t2",
            "--distill",
            "0.5",
            "--imbalance",
            "loss",
        ]
    )
    recipe = cli.recipe_from(args)
    assert (recipe.epochs, recipe.schedule, recipe.pen_data, recipe.pen_repeat) == (
        3,
        "constant",
        ["a.json", "b.jsonl"],
        [10, 2],
    )
    assert recipe.refit_on_validation and recipe.init_from == "some/model" and recipe.imbalance == "loss"
    assert recipe.teachers == ["t1", "t2"] and recipe.distill == 0.5
    assert (
        cli.recipe_from(cli.build_parser().parse_args(["--distill", "0.5"])).distill == 0.0
    )  # no teacher, no distillation


def test_every_recipe_knob_but_the_teachers_is_an_option():
    flags = {a.dest for a in cli.build_parser()._actions}
    assert {f.name for f in dataclasses.fields(Recipe)} - flags == {"teachers"}
    flags = {a.dest for a in words.build_parser()._actions}
    assert {f.name for f in dataclasses.fields(words.Recipe)} <= flags


def test_a_bad_choice_or_value_is_refused_by_the_parser(capsys):
    for argv in (["--augment", "wild"], ["--pen-repeat", "x"], ["--epochs", "1.5"]):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(argv)
    assert "invalid" in capsys.readouterr().err
