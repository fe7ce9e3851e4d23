"""Which lab a folder or file is, read from its name."""

from pathlib import Path

import pytest

from nnlabs.notebook import lab_id, lab_of


@pytest.mark.parametrize("name", ["lab03_activations", "lab03", "lab03_"])
def test_a_name_that_starts_with_the_lab_id_names_that_lab(name):
    assert lab_id(name) == "lab03"


@pytest.mark.parametrize("name", ["lab3_activations", "lab03activations", "my_lab03", "labs"])
def test_a_name_without_a_two_digit_lab_id_first_names_no_lab(name):
    assert lab_id(name) is None


def test_a_notebook_is_of_the_lab_its_file_names_before_its_folders():
    assert lab_of(Path("lab04_mlp/lab03_activations.ipynb")) == "lab03"


def test_a_notebook_named_otherwise_is_of_the_lab_its_folder_names():
    assert lab_of(Path("lab04_mlp/submission.ipynb")) == "lab04"
