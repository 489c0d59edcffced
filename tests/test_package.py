"""The package surface: lazy exports, no heavy imports at ``import causalmacro``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import causalmacro as cm


def test_dir_lists_the_public_surface() -> None:
    names = dir(cm)
    for name in ("SVAR", "AssetResponseModel", "fit_spec", "plot_irf", "dependency_graph", "load_results"):
        assert name in names, name


def test_lazy_exports_resolve() -> None:
    for name in cm.__all__:
        assert getattr(cm, name) is not None, name
    assert cm.SVAR.__module__.startswith("causalmacro.svar")
    assert cm.AssetResponseModel.__module__.startswith("causalmacro.bayes")
    assert set(cm.DEFAULT_GROUPS.values()) >= {"crypto", "equity"}


def test_no_subpackage_shadows_a_public_function() -> None:
    """Importing a subpackage sets it as an attribute of the package: none may share a public function's name."""
    code = ("import causalmacro as cm, causalmacro.specgrid, causalmacro.pipeline, causalmacro.report; "
            "cm.GridResults; print([n for n in cm.__all__ if type(getattr(cm, n)).__name__ == 'module'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert callable(cm.grid)


@pytest.mark.parametrize("module", ["causalmacro", "causalmacro.spec", "causalmacro.data", "causalmacro.panel"])
def test_import_is_light(module: str) -> None:
    """The package root and the spec, data and panel layers load no statsmodels, PyMC or matplotlib."""
    code = f"import sys, {module}; print(sorted(m for m in ('pymc', 'statsmodels', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_figure_pool_imports_without_the_report_writer() -> None:
    """``causalmacro run`` starts its figure processes' server first thing: importing that code loads no pandas,
    matplotlib or models, and the report package's names still load on first use."""
    code = ("import sys, causalmacro.report.figures; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'statsmodels', 'xarray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import causalmacro.report as report
    from causalmacro.report.write import write_run

    assert report.write_run is write_run and callable(report.reusable) and callable(report.run_key)
    assert set(report.__all__) <= set(dir(report))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        report.nothing  # noqa: B018


@pytest.mark.parametrize("module", ["causalmacro.pipeline.tracker", "causalmacro.pipeline.position",
                                    "causalmacro.report.var_figures"])
def test_what_a_figure_worker_unpickles_loads_no_estimators(module: str) -> None:
    """A figure task carries a tracker or a cycle position: unpickling it in a worker imports that module alone
    (the pipeline package's names load on first use), not statsmodels or the samplers; the VAR figures' tasks are
    declared without matplotlib."""
    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('statsmodels', 'pymc', 'arviz', 'matplotlib', 'causalmacro.pipeline.fit') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import causalmacro.pipeline as pipeline
    from causalmacro.pipeline.fit import fit_spec

    assert pipeline.fit_spec is fit_spec and set(pipeline.__all__) <= set(dir(pipeline))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        pipeline.nothing  # noqa: B018


def test_figure_workers_get_this_process_settings_only_when_it_has_loaded_matplotlib() -> None:
    """Without matplotlib loaded here nothing here can have changed its settings: the workers read their own."""
    code = ("import sys, causalmacro.report.figures as f; a = f._settings(); import matplotlib as mpl; "
            "mpl.rcParams['lines.linewidth'] = 7.5; b = f._settings(); "
            "print(a is None, b['lines.linewidth'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "7.5"]


def test_the_main_job_with_the_gibbs_sampler_imports_no_pymc() -> None:
    """PyMC and PyTensor (about 1.5 s to import) load only for the NUTS samplers or a posterior predictive."""
    code = ("import sys, causalmacro as cm; spec = cm.load_spec('models/demo.toml'); "
            "cm.fit_spec(spec, cm.build_panel(spec, cm.open_source(spec)), reps=0); "
            "print(sorted(m for m in ('pymc', 'pytensor') if m in sys.modules))")
    root = Path(cm.__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_build_requirement_supports_the_license_field() -> None:
    """``license = "BSD-3-Clause"`` (an SPDX string, PEP 639) needs setuptools >= 77; older ones fail the build."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    conf = tomllib.loads((Path(cm.__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert isinstance(conf["project"]["license"], str)
    (setuptools,) = [Requirement(r) for r in conf["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains(Version("76.9"))
    assert setuptools.specifier.contains(Version("77.0"))


def test_dir_is_exactly_the_public_names() -> None:
    """``dir(cm)`` lists ``__all__`` and nothing else: no ``Any``, ``TYPE_CHECKING``, ``annotations``, ``import_module``."""
    import causalmacro.svar  # noqa: F401  (a loaded subpackage is an attribute, but not listed)

    assert set(dir(cm)) == set(cm.__all__)
    assert dir(cm) == sorted(cm.__all__)
    public_globals = {n for n in vars(cm) if not n.startswith("_")}
    submodules = {n for n in public_globals if type(vars(cm)[n]).__name__ == "module"}
    assert public_globals - submodules <= set(cm.__all__), public_globals - submodules - set(cm.__all__)
    for name in ("Any", "TYPE_CHECKING", "annotations", "import_module"):
        assert not hasattr(cm, name), name
