"""Sphinx configuration of the skpareto documentation."""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import skpareto  # noqa: E402

project = "skpareto"
author = "the skpareto developers"
copyright = "2026, the skpareto developers"
release = skpareto.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store",
                    "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5",
                    "benchmarks_results.rst",  # included by benchmarks.rst
                    "verification_corruptions.rst"]  # included by verification.rst
root_doc = "index"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
# scikit-learn adds set_{method}_request methods whose docstrings link to its own site
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": "set_fit_request, set_predict_request, set_score_request, "
                       "set_partial_fit_request, set_transform_request",
}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- gallery -----------------------------------------------------------------
# The examples run while the documentation builds; headless matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skpareto",),
    "reference_url": {"skpareto": None},
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "matplotlib_animations": False,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skpareto {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
}
html_sidebars = {"install": [], "benchmarks": [], "scaling": []}


# -- figures of the user guide -------------------------------------------------
# figures.py draws them with the library at every build, so they show what the
# code does now (none is committed).
def _draw_figures(app):
    sys.path.insert(0, str(HERE))
    import figures

    figures.make_all(HERE / "generated")


def setup(app):
    app.connect("builder-inited", _draw_figures)
