"""Fixtures the test modules share: the shipped model and corpus (loaded once), the CLI runner, example files."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

import tpbnlp
from tpbnlp.corpus import load_corpus

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="session")
def model():
    """The shipped default model."""
    return tpbnlp.load()


@pytest.fixture(scope="session")
def shipped_corpus():
    """The shipped labelled corpus (do not modify: copy first)."""
    return load_corpus()


@pytest.fixture
def runner():
    """Invokes the command line in this process."""
    return CliRunner()


@pytest.fixture(scope="session")
def examples() -> Path:
    """The ``examples`` folder: a sample table and meeting minutes with their expected opinions."""
    return EXAMPLES
