"""Finding a lab's notebook: by its folder's name, whatever else the folder holds."""

import shutil

from autograder import catalogue
from autograder.catalogue import load_notebook, notebook_path


def test_a_copy_beside_the_lab_notebook_is_not_taken_for_it(tmp_path, monkeypatch):
    folder = tmp_path / "labs/lab03_activations"
    folder.mkdir(parents=True)
    shutil.copy(notebook_path("lab03", "labs"), folder)
    (folder / "lab03_activations-Copy1.ipynb").write_text("{}")
    (folder / "lab03_mine.ipynb").write_text("{}")
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    assert notebook_path("lab03", "labs") == folder / "lab03_activations.ipynb"
    assert load_notebook("lab03", "labs")["cells"]
