"""The bundled data package passes frictionless-py, the reference validator of the specification."""

from tests.conftest import DATA


def test_frictionless_validates_the_bundled_package():
    from frictionless import validate

    report = validate(str(DATA / "datapackage.json"))
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors] + \
             [f"{e.type}: {e.message}" for e in report.errors]
    assert report.valid, "\n".join(errors)


def test_frictionless_sees_a_removed_column(data_copy):
    """The reference validator and ours agree on the fault that used to pass ours."""
    from frictionless import validate

    data_copy.drop_column("sources", "doi")
    report = validate(str(data_copy.root / "datapackage.json"))
    assert not report.valid
    assert any(e.type == "missing-label" for task in report.tasks for e in task.errors)
