"""Combining weights, exact-sum points and applying weights to a framework."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.errors import FrameworkError, InputError
from perfeval.framework import Framework, Node, load_framework
from perfeval.weighting import ahp, apply_weights, combine, entropy, rank_order, to_points


def test_combine_linear_and_multiplicative_by_hand():
    s = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    o = {"c": 2.0, "a": 1.0, "b": 1.0}  # not normalised, other order
    lin = combine(s, o, alpha=0.25)
    np.testing.assert_allclose(lin.weights, [0.25 * 0.5 + 0.75 * 0.25, 0.25 * 0.3 + 0.75 * 0.25,
                                             0.25 * 0.2 + 0.75 * 0.5])
    assert lin.weights.index.tolist() == ["a", "b", "c"] and lin.details["alpha"] == 0.25
    mult = combine(s, o, method="multiplicative")
    prod = np.array([0.5 * 0.25, 0.3 * 0.25, 0.2 * 0.5])
    np.testing.assert_allclose(mult.weights, prod / prod.sum())
    assert mult.details["alpha"] is None
    assert combine(s, o).details["alpha"] == 0.5
    for alpha, source in ((1.0, s), (0.0, pd.Series(o) / 4)):
        np.testing.assert_allclose(combine(s, o, alpha=alpha).weights, source.reindex(s.index))


def test_combine_issue_call_form_and_defaults():
    """The issue's call form ``combine(s, o, method=..., alpha=0.5)`` works for both methods: alpha defaults to
    0.5 and is ignored (any value, no error) by the multiplicative blend."""
    s = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    o = pd.Series({"a": 0.2, "b": 0.2, "c": 0.6})
    np.testing.assert_allclose(combine(s, o, method="linear", alpha=0.5).weights, combine(s, o).weights)
    np.testing.assert_allclose(combine(s, o).weights, [0.35, 0.25, 0.4])
    mult = combine(s, o, method="multiplicative", alpha=0.5)
    np.testing.assert_allclose(mult.weights, np.array([0.1, 0.06, 0.12]) / 0.28)
    for alpha in (0.0, 0.9, 1.5):  # ignored, not validated
        np.testing.assert_allclose(combine(s, o, method="multiplicative", alpha=alpha).weights, mult.weights)
    assert mult.details["alpha"] is None and mult.method == "multiplicative"


def test_combine_accepts_result_objects():
    res_a = ahp([[1, 3], [1 / 3, 1]], labels=["x", "y"])
    res_o = entropy(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 1.0, 5.0]}))
    out = combine(res_a, res_o, alpha=0.7)
    assert out.weights.sum() == pytest.approx(1.0) and out.method == "linear"
    assert out.to_frame().columns.tolist() == ["item", "weight", "rank", "subjective", "objective"]


def test_combine_errors():
    s = pd.Series({"a": 0.5, "b": 0.5})
    with pytest.raises(InputError, match=r"must weigh the same items; only subjective: \['b'\], only objective: "
                                         r"\['c'\]"):
        combine(s, {"a": 1, "c": 1})
    with pytest.raises(InputError, match=r"`alpha` must be a number in \[0, 1\]; got 1.5"):
        combine(s, s, alpha=1.5)
    with pytest.raises(InputError, match=r"`subjective` must be finite and non-negative"):
        combine(pd.Series({"a": -1.0, "b": 2.0}), s)
    with pytest.raises(InputError, match=r"no item has a positive weight in both"):
        combine(pd.Series({"a": 1.0, "b": 0.0}), pd.Series({"a": 0.0, "b": 1.0}), method="multiplicative")
    with pytest.raises(InputError, match=r"`method` must be one of 'linear', 'multiplicative'"):
        combine(s, s, method="game")


# --------------------------------------------------------------------------------------------------------------
def test_to_points_largest_remainder():
    """Hamilton's method: three equal weights of 100 -> 34 + 33 + 33 (plain rounding gives 99); ROC weights of
    four items over 90 points -> 47, 24, 13, 6 (quotas 46.875, 24.375, 13.125, 5.625)."""
    assert to_points({"a": 1, "b": 1, "c": 1}).tolist() == [34.0, 33.0, 33.0]
    roc = rank_order(["a", "b", "c", "d"])
    pts = to_points(roc, total=90)
    assert pts.tolist() == [47.0, 24.0, 13.0, 6.0] and pts.name == "points"
    tenths = to_points(pd.Series({"x": 1, "y": 2, "z": 4}), total=10, decimals=1)
    assert tenths.tolist() == [1.4, 2.9, 5.7] and round(tenths.sum(), 9) == 10
    assert to_points({"a": 0, "b": 1}).tolist() == [0.0, 100.0]
    assert to_points({"a": 1, "b": 1}, total=1).tolist() == [1.0, 0.0]  # tie: the earlier item


def test_to_points_errors():
    with pytest.raises(InputError, match=r"`decimals` must be a non-negative integer; got -1"):
        to_points({"a": 1}, decimals=-1)
    with pytest.raises(InputError, match=r"`total` must be a whole number of 10\*\*-0 units; got total=10.5"):
        to_points({"a": 1}, total=10.5)
    with pytest.raises(InputError, match=r"`total` must be a non-negative number; got -5"):
        to_points({"a": 1}, total=-5)
    with pytest.raises(InputError, match=r"`weights` must have a positive sum"):
        to_points({"a": 0, "b": 0})
    with pytest.raises(InputError, match=r"`weights` given as a sequence must be one-dimensional \(one weight per "
                                         r"item\); got \[\[1, 2\], \[3, 4\]\]"):
        to_points([[1, 2], [3, 4]])
    with pytest.raises(InputError, match=r"`weights` given as a sequence must be one-dimensional"):
        to_points([[1, 2], [3]])
    with pytest.raises(InputError, match=r"`weights` must be finite and non-negative; got \{1: -0.5\}"):
        to_points([1, -0.5])


def test_to_points_accepts_array_likes():
    """A plain list, tuple or 1-D array is labelled 0..n-1 and gives a Series, like the mapping form."""
    pts = to_points([0.5, 0.3, 0.2])
    assert isinstance(pts, pd.Series) and pts.name == "points"
    assert pts.to_dict() == {0: 50.0, 1: 30.0, 2: 20.0}
    assert to_points((1, 1, 1)).tolist() == [34.0, 33.0, 33.0]
    assert to_points(np.array([0.52, 0.27, 0.15, 0.06]), total=90).tolist() == \
        to_points({"a": 0.52, "b": 0.27, "c": 0.15, "d": 0.06}, total=90).tolist()


def _framework() -> Framework:
    return Framework(name="t", title="t", total=100, nodes=(
        Node("a", "A", 60, children=(Node("a.1", "A1", 20), Node("a.2", "A2", 40))),
        Node("b", "B", 40, children=(Node("b.1", "B1", 40),)),
    ))


def test_apply_weights_first_level_rescales_subtrees():
    fw = _framework()
    new = apply_weights(fw, pd.Series({"b": 0.25, "a": 0.75}))
    assert new.points().to_dict() == {"a": 75.0, "a.1": 25.0, "a.2": 50.0, "b": 25.0, "b.1": 25.0}
    assert apply_weights(fw, {"a": 75, "b": 25}).points().to_dict() == new.points().to_dict()  # points
    assert fw.points()["a"] == 60.0  # unchanged
    kept = apply_weights(fw, [0.5, 0.5], rescale_children=False)
    assert kept.points().to_dict() == {"a": 50.0, "a.1": 20.0, "a.2": 40.0, "b": 50.0, "b.1": 40.0}


def test_apply_weights_inner_node_with_rounding():
    new = apply_weights(_framework(), {"a.1": 1 / 3, "a.2": 2 / 3}, node="a", decimals=0)
    assert new.points()[["a", "a.1", "a.2"]].tolist() == [60.0, 20.0, 40.0]
    odd = apply_weights(_framework(), {"a.1": 0.5, "a.2": 0.5}, node="a", decimals=0)
    assert odd.points()[["a.1", "a.2"]].sum() == 60.0


def test_apply_weights_on_a_shipped_framework_from_ahp():
    fw = load_framework("project_self")
    codes = [n.code for n in fw.nodes]
    res = ahp(np.ones((4, 4)), labels=codes)
    new = apply_weights(fw, res, decimals=0)
    assert new.points(level=1).tolist() == [25.0, 25.0, 25.0, 25.0]
    assert new.total == fw.total


def test_apply_weights_refuses_weights_that_cannot_sum_to_the_parent():
    """Points must sum to the parent's points (the total for the first level) or be shares summing to 1, within
    the framework's tolerance; relative weights go through to_points."""
    fw = _framework()  # a 60 (a.1 20, a.2 40), b 40; tolerance 1e-6
    with pytest.raises(InputError, match=r"`weights` for the children of 'the root' sum to 120: they must be points "
                                         r"summing to the 100 points of 'the root' \(tolerance 1e-06\) or shares "
                                         r"summing to 1"):
        apply_weights(fw, {"a": 80, "b": 40})
    with pytest.raises(InputError, match=r"`weights` for the children of 'a' sum to 3: they must be points summing "
                                         r"to the 60 points of 'a'"):
        apply_weights(fw, {"a.1": 1, "a.2": 2}, node="a")
    with pytest.raises(InputError, match=r"sum to 0.99: they must be points summing to the 100 points"):
        apply_weights(fw, [0.5, 0.49])
    ratio = apply_weights(fw, to_points({"a.1": 1, "a.2": 2}, total=60), node="a")
    assert ratio.points()[["a.1", "a.2"]].tolist() == [20.0, 40.0]
    loose = apply_weights(load_framework("project_self"), {"execution": 10.005, "output": 50, "effect": 30,
                                                           "satisfaction": 10})  # within the template's 0.01
    assert loose.points(level=1).sum() == pytest.approx(100.0)


def test_apply_weights_errors():
    fw = _framework()
    with pytest.raises(InputError, match=r"one weight per node of the first-level nodes \['a', 'b'\]; unknown "
                                         r"\['c'\], missing \['b'\]"):
        apply_weights(fw, {"a": 1, "c": 1})
    with pytest.raises(FrameworkError, match=r"`node` must be a node code of framework 't'; got 'zz'"):
        apply_weights(fw, {"x": 1}, node="zz")
    with pytest.raises(FrameworkError, match=r"leaf_node: `node` must have children to re-weight; 'b.1' is a leaf"):
        apply_weights(fw, {"x": 1}, node="b.1")
    with pytest.raises(InputError, match=r"`framework` must be a Framework"):
        apply_weights({"a": 1}, {"a": 1})
    slots = Framework(name="s", title="s", nodes=(Node("p", "P", None, children=(Node("q", "Q", 1),)),))
    with pytest.raises(FrameworkError, match=r"no_points: node 'p' has no points"):
        apply_weights(slots, {"q": 1}, node="p")


def test_weight_arguments_are_checked_with_located_messages():
    with pytest.raises(InputError, match=r"`alpha` must be a number in \[0, 1\]; got True"):
        combine({"a": 1, "b": 1}, {"a": 1, "b": 3}, alpha=True)
    with pytest.raises(InputError, match=r"`weights` must be a Series, a mapping, a sequence or a weighting "
                                         r"result; got str"):
        to_points("a=1,b=2")
    with pytest.raises(InputError, match=r"`weights` must name each item once; got duplicates \['a'\]"):
        to_points(pd.Series([1, 2], index=["a", "a"]))
    with pytest.raises(InputError, match=r"`subjective` must hold numbers; got \['x', 1\]"):
        combine(pd.Series(["x", 1], index=["a", "b"]), {"a": 1, "b": 1})
