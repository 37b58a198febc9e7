"""Built-in datasets: shapes, balance, determinism and the clean geometry; user data and CSV parsing."""

import numpy as np
import pytest

from app.nn.datasets import (
    DATASETS,
    MAX_CLASSES,
    Dataset,
    dataset_from_points,
    make_dataset,
    missing_classes,
    parse_csv,
)

EXPECTED_KINDS = {
    "xor": ("binary", 2),
    "circle": ("binary", 2),
    "gauss": ("binary", 2),
    "spiral": ("binary", 2),
    "spiral3": ("multiclass", 3),
    "moons": ("binary", 2),
    "sine": ("regression", 0),
    "plane": ("regression", 0),
    "multigauss": ("regression", 0),
    "digits": ("multiclass", 10),
    "iris": ("multiclass", 3),
}
CLASSIFICATION = [name for name, (kind, _) in EXPECTED_KINDS.items() if kind != "regression"]
REAL = ["digits", "iris"]
GENERATED = [name for name in EXPECTED_KINDS if name not in REAL]


def test_registry_lists_exactly_the_documented_datasets():
    assert set(DATASETS) == set(EXPECTED_KINDS)
    for name, info in DATASETS.items():
        assert info.name == name
        assert (info.kind, info.classes) == EXPECTED_KINDS[name]
        assert info.description.endswith(".") and len(info.description) > 20


@pytest.mark.parametrize("name", list(EXPECTED_KINDS))
@pytest.mark.parametrize("n", [1, 7, 200])
def test_every_dataset_builds_with_the_advertised_shapes(name, n):
    info = DATASETS[name]
    data = make_dataset(name, n=n, noise=0.1, seed=3)
    n = min(n, info.size or n)  # a real dataset has only so many points
    assert data.name == name and data.kind == info.kind and len(data) == n
    assert data.inputs.shape == (n, info.input_dim) and data.inputs.dtype == np.float64
    assert data.targets.shape == (n, info.output_dim) and data.targets.dtype == np.float64
    assert data.classes == info.classes
    assert np.isfinite(data.inputs).all() and np.isfinite(data.targets).all()
    if info.kind == "regression":
        assert data.labels is None
        return
    assert data.labels.shape == (n,) and data.labels.dtype.kind == "i"
    if info.kind == "binary":
        np.testing.assert_array_equal(data.targets[:, 0], data.labels)
    else:
        np.testing.assert_array_equal(data.targets.argmax(axis=1), data.labels)
        np.testing.assert_array_equal(data.targets.sum(axis=1), 1.0)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [2, 9, 100, 301])
def test_classes_are_balanced(name, n):
    data = make_dataset(name, n=n, seed=1)
    counts = np.bincount(data.labels, minlength=data.classes)
    assert len(counts) == data.classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classes_are_shuffled_not_in_blocks(name):
    labels = make_dataset(name, n=200, seed=0).labels
    assert np.count_nonzero(np.diff(labels)) > 20


@pytest.mark.parametrize("name", list(EXPECTED_KINDS))
def test_same_seed_same_data_and_other_seed_other_data(name):
    first, again, other = (make_dataset(name, n=50, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(first.inputs, again.inputs)
    np.testing.assert_array_equal(first.targets, again.targets)
    assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", GENERATED)
def test_inputs_stay_near_the_documented_range(name):
    data = make_dataset(name, n=500, noise=0.0, seed=0)
    bound = {"sine": np.pi, "gauss": 1.5}.get(name, 1.0)  # gauss: 0.5 + 6.7 σ
    assert np.abs(data.inputs).max() <= bound + 1e-12


def test_noise_blurs_classification_inputs_and_regression_targets():
    clean, noisy = make_dataset("circle", n=400, noise=0.0), make_dataset("circle", n=400, noise=0.3)
    inner_clean = np.hypot(*clean.inputs[clean.labels == 1].T)
    inner_noisy = np.hypot(*noisy.inputs[noisy.labels == 1].T)
    assert inner_clean.max() <= 0.5 < inner_noisy.max()

    sine = make_dataset("sine", n=400, noise=0.2)
    residual = sine.targets[:, 0] - np.sin(sine.inputs[:, 0])
    assert 0.15 < residual.std() < 0.25


@pytest.mark.parametrize("name", GENERATED)
def test_noise_is_a_fraction_of_the_data_scale(name):
    # The clean points are drawn before the noise, so the same seed gives the same clean points.
    clean, noisy = make_dataset(name, n=2000, noise=0.0, seed=8), make_dataset(name, n=2000, noise=0.2, seed=8)
    column = "targets" if DATASETS[name].kind == "regression" else "inputs"
    blur = (getattr(noisy, column) - getattr(clean, column)) / 0.2
    arms = {"spiral": 2, "spiral3": 3}.get(name)
    scale = 1 / (1.75 * arms) if arms else 1.0  # the spirals' scale is the gap between their arms
    np.testing.assert_allclose(blur.std(), scale, rtol=0.05)
    np.testing.assert_array_equal(noisy.labels, clean.labels)


@pytest.mark.parametrize("name", REAL)
def test_real_data_is_all_there_scaled_and_untouched_by_noise(name):
    info = DATASETS[name]
    data = make_dataset(name, n=5000, noise=0.3, seed=1)
    assert len(data) == info.size
    assert np.array_equal(data.inputs, make_dataset(name, n=5000, noise=0.0, seed=1).inputs)
    counts = np.bincount(data.labels, minlength=info.classes)
    assert counts.sum() == info.size and counts.min() > 0
    if name == "digits":
        assert info.image == (8, 8) and data.input_dim == 64
        assert data.inputs.min() == 0.0 and data.inputs.max() == 1.0
        assert set(np.unique(data.inputs * 16)) <= set(range(17))  # pixels were whole counts 0–16
        assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    else:
        np.testing.assert_allclose(data.inputs.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(data.inputs.std(axis=0), 1.0)
        assert counts.tolist() == [50, 50, 50]


def test_multigauss_peaks_alternate_in_sign():
    data = make_dataset("multigauss", n=4000, noise=0.0, seed=0)
    assert np.abs(data.inputs).max() <= 1.0 and np.abs(data.targets).max() <= 1.0
    near = lambda c: np.hypot(*(data.inputs - c).T) < 0.05  # noqa: E731
    for centre, sign in (((-2 / 3, 5 / 12), 1), ((0.0, 5 / 12), -1), ((0.0, -5 / 12), 1)):
        assert (np.sign(data.targets[near(np.array(centre)), 0]) == sign).all()


# ------------------------------------------------------------------------------ clean geometry
def test_xor_label_is_one_exactly_where_the_coordinates_share_a_sign():
    data = make_dataset("xor", n=300, noise=0.0, seed=2)
    x1, x2 = data.inputs.T
    np.testing.assert_array_equal(data.labels, (x1 * x2 > 0).astype(int))
    assert np.abs(data.inputs).min() >= 0.05  # the margin keeps points off the axes


def test_circle_inner_class_lies_inside_the_outer_class():
    data = make_dataset("circle", n=300, noise=0.0, seed=2)
    radius = np.hypot(data.inputs[:, 0], data.inputs[:, 1])
    inner, outer = radius[data.labels == 1], radius[data.labels == 0]
    assert inner.max() <= 0.5 < 0.7 <= outer.min() and outer.max() <= 1.0


def test_gauss_clouds_sit_on_either_side_of_the_diagonal():
    data = make_dataset("gauss", n=400, noise=0.0, seed=2)
    for label, sign in ((1, 1.0), (0, -1.0)):
        cloud = data.inputs[data.labels == label]
        np.testing.assert_allclose(cloud.mean(axis=0), [0.5 * sign] * 2, atol=0.05)
        np.testing.assert_allclose(cloud.std(axis=0), [0.15, 0.15], rtol=0.2)
    np.testing.assert_array_equal(data.labels, (data.inputs.sum(axis=1) > 0).astype(int))


@pytest.mark.parametrize("name", ["spiral", "spiral3"])
def test_spiral_points_lie_on_their_arm(name):
    data = make_dataset(name, n=300, noise=0.0, seed=2)
    x1, x2 = data.inputs.T
    radius = np.hypot(x1, x2)
    angle = 2 * np.pi * 1.75 * radius + 2 * np.pi * data.labels / data.classes
    np.testing.assert_allclose(x1, radius * np.cos(angle), atol=1e-12)
    np.testing.assert_allclose(x2, radius * np.sin(angle), atol=1e-12)


def test_moons_points_lie_on_two_interleaved_half_circles():
    data = make_dataset("moons", n=300, noise=0.0, seed=2)
    # scikit-learn's moons: centres (0, 0) and (1, 0.5), radius 1, mapped by (p − (0.5, 0.25)) / 1.5
    original = data.inputs * 1.5 + np.array([0.5, 0.25])
    upper, lower = original[data.labels == 0], original[data.labels == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*(lower - [1.0, 0.5]).T), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    assert np.abs(data.inputs[:, 0]).max() <= 1 + 1e-12 and np.abs(data.inputs[:, 1]).max() <= 0.5 + 1e-12


def test_regression_targets_follow_their_formula_without_noise():
    sine = make_dataset("sine", n=100, noise=0.0, seed=2)
    assert np.abs(sine.inputs).max() <= np.pi
    np.testing.assert_allclose(sine.targets[:, 0], np.sin(sine.inputs[:, 0]))
    plane = make_dataset("plane", n=100, noise=0.0, seed=2)
    np.testing.assert_allclose(plane.targets[:, 0], (plane.inputs[:, 0] + plane.inputs[:, 1]) / 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "swirl"}, "xor, circle"),
        ({"name": "xor", "n": 0}, "at least 1"),
        ({"name": "xor", "noise": -0.1}, "noise"),
        ({"name": "xor", "noise": float("nan")}, "noise"),
    ],
)
def test_make_dataset_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(**kwargs)


# ------------------------------------------------------------------------------ split
@pytest.mark.parametrize(
    ("n", "fraction", "test_size"), [(200, 0.2, 40), (10, 0.5, 5), (2, 0.1, 1), (2, 0.9, 1), (5, 0.01, 1)]
)
def test_split_sizes_and_disjoint_rows(n, fraction, test_size):
    data = make_dataset("spiral3", n=n, seed=4)
    train, test = data.split(fraction, seed=7)
    assert (len(train), len(test)) == (n - test_size, test_size)
    rows = [tuple(row) for row in np.concatenate([train.inputs, test.inputs])]
    assert sorted(rows) == sorted(tuple(row) for row in data.inputs)  # a partition: nothing lost or repeated
    for part in (train, test):
        assert part.kind == data.kind and part.classes == data.classes
        for row, label in zip(part.inputs, part.labels, strict=True):
            original = np.flatnonzero((data.inputs == row).all(axis=1))
            assert data.labels[original[0]] == label  # labels travel with their points


def test_split_is_seeded_and_shuffles():
    data = make_dataset("sine", n=100, seed=0)
    first, again, other = data.split(0.3, seed=1), data.split(0.3, seed=1), data.split(0.3, seed=2)
    np.testing.assert_array_equal(first[1].inputs, again[1].inputs)
    assert not np.array_equal(first[1].inputs, other[1].inputs)
    assert first[1].labels is None and first[1].targets.shape == (30, 1)


def test_split_of_a_single_point_keeps_it_for_training():
    train, test = make_dataset("xor", n=1).split(0.5, seed=0)
    assert (len(train), len(test)) == (1, 0)
    assert test.inputs.shape == (0, 2) and test.targets.shape == (0, 1)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_split_rejects_fractions_outside_zero_one(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        make_dataset("xor", n=10).split(fraction, seed=0)


# ------------------------------------------------------------------------------ user points
def test_points_make_binary_multiclass_and_regression_sets():
    points = [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]
    binary = dataset_from_points(points, [0, 1, 1], "binary")
    assert binary.classes == 2 and binary.targets.tolist() == [[0.0], [1.0], [1.0]]
    multi = dataset_from_points(points, [0, 2, 1], "multiclass")
    assert multi.classes == 3 and multi.targets.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    regression = dataset_from_points([[0.0], [1.0]], [0.25, -1.5], "regression")
    assert regression.classes == 0 and regression.labels is None
    assert regression.inputs.shape == (2, 1) and regression.targets.tolist() == [[0.25], [-1.5]]
    assert dataset_from_points(points, [1.0, 0.0, 1.0], "binary").labels.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("points", "values", "kind", "message"),
    [
        ([], [], "binary", "at least one point"),
        ([[0.1, 0.2], [0.3]], [0, 1], "binary", "same number"),
        ([[0.1, 0.2, 0.3]], [0], "binary", "1 or 2 numbers"),
        ([[0.1, float("nan")]], [0], "binary", "point 0 is not finite"),
        ([[0.1, 0.2], [0.3, 0.4]], [0], "binary", "one label/target per point"),
        ([[0.1, 0.2], [0.3, 0.4]], [0, 0.5], "binary", "point 1 .* whole numbers"),
        ([[0.1, 0.2], [0.3, 0.4]], [0, 2], "binary", "point 1: class label 2 is too large"),
        ([[0.1, 0.2], [0.3, 0.4]], [0, -1], "multiclass", "point 1: class label -1 is negative"),
        ([[0.1, 0.2]], [MAX_CLASSES], "multiclass", f"at most {MAX_CLASSES} classes"),
        ([[0.1, 0.2], [0.3, 0.4]], [1, 1e20], "multiclass", "point 1: class label 100000000000000000000 is too large"),
        ([[0.1, 0.2]], [0], "multiclass", "use kind 'binary'"),
        ([[0.1, 0.2]], [float("inf")], "regression", "ordinary number"),
        ([[0.1, 0.2]], ["a"], "regression", "list of numbers"),
        ([[0.1, 0.2]], [0], "ternary", "binary, multiclass, regression"),
    ],
)
def test_points_are_validated_with_a_message_saying_what_to_fix(points, values, kind, message):
    with pytest.raises(ValueError, match=message):
        dataset_from_points(points, values, kind)


def test_dataset_checks_its_own_invariants():
    with pytest.raises(ValueError, match="one row per point"):
        Dataset("bad", "regression", np.zeros((3, 2)), np.zeros((2, 1)), None)
    with pytest.raises(ValueError, match="labels are required"):
        Dataset("bad", "binary", np.zeros((3, 2)), np.zeros((3, 1)), None)


# ------------------------------------------------------------------------------ CSV
def test_csv_with_header_makes_a_binary_set():
    data = parse_csv("x1,x2,label\n0.5,-1,1\n\n-0.25 , 2e-1, 0\n")
    assert data.kind == "binary" and data.classes == 2
    np.testing.assert_array_equal(data.inputs, [[0.5, -1.0], [-0.25, 0.2]])
    np.testing.assert_array_equal(data.labels, [1, 0])


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_separators_and_multiclass(separator):
    text = "\n".join(separator.join(row) for row in [["1", "2", "0"], ["3", "4", "2"], ["5", "6", "1"]])
    data = parse_csv(text)
    assert data.kind == "multiclass" and data.classes == 3
    np.testing.assert_array_equal(data.inputs, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(data.targets, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])


def test_csv_with_decimal_labels_and_one_input_is_regression():
    data = parse_csv("x;y\r\n0;0.0\r\n1.5;1.0\r\n-1;-0.75\r\n")
    assert data.kind == "regression" and data.labels is None
    np.testing.assert_array_equal(data.inputs, [[0.0], [1.5], [-1.0]])
    np.testing.assert_array_equal(data.targets, [[0.0], [1.0], [-0.75]])


def test_csv_quoted_fields_and_byte_order_mark():
    data = parse_csv('\ufeff"a","b","class"\n"0.1","0.2","1"\n')
    assert data.kind == "binary" and data.inputs.tolist() == [[0.1, 0.2]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("\n  \n", "empty"),
        ("x1,x2,label\n", "no data rows"),
        ("1,2,3,4\n", "line 1: expected 2 or 3 columns"),
        ("0,0,1\n0,1\n", "line 2: expected 3 columns, found 2"),
        ("0,0,1\n\n0,abc,1\n", "line 3: 'abc' is not a number"),
        ("0,0,1\n0,nan,1\n", "line 2: 'nan' is not a number"),
        ("0,0,1\n0,1e999,0\n", "line 2: '1e999' is not a number"),
        ("0,0,0.5\n0,1,x\n", "line 2: 'x' is not a number"),
        ("0,0,1\n0,1,-1\n", "line 2: class label -1 is negative"),
        ("0,0,1\n0,1,10\n", "line 2: class label 10 is too large"),
        ("0,0,1\n0,1,99999999999999999999\n", "line 2: class label 99999999999999999999 is too large"),
        ("x,y,label\n0,0,1\n0,1,,\n", "line 3: expected 3 columns, found 4"),
    ],
)
def test_csv_errors_name_the_line_and_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        parse_csv(text)


def test_csv_row_cap():
    rows = "\n".join(f"{i},0,{i % 2}" for i in range(6))
    assert len(parse_csv("x,y,c\n" + rows, max_rows=6)) == 6
    with pytest.raises(ValueError, match="line 7: too many rows; at most 5"):
        parse_csv("x,y,c\n" + rows, max_rows=5)


# ------------------------------------------------------------------------------ stratified split
ALTERNATING = dataset_from_points([[k, 0] for k in range(6)], [0, 1, 0, 1, 0, 1], "binary")


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.7])
def test_split_keeps_every_class_on_both_sides_when_it_can(seed, fraction):
    train, test = ALTERNATING.split(fraction, seed=seed)
    assert set(train.labels) == {0, 1} and set(test.labels) == {0, 1}
    assert len(test) == min(max(round(6 * fraction), 1), 5)
    assert missing_classes(train, test) == {"train": [], "test": []}


@pytest.mark.parametrize(("name", "n", "fraction"), [("spiral3", 200, 0.2), ("xor", 101, 0.3), ("circle", 30, 0.5)])
def test_split_gives_each_class_its_share_of_the_test_set(name, n, fraction):
    data = make_dataset(name, n=n, seed=3)
    train, test = data.split(fraction, seed=5)
    for label in range(data.classes):
        size = int(np.sum(data.labels == label))
        assert abs(int(np.sum(test.labels == label)) - size * len(test) / n) < 1
    assert len(train) + len(test) == n


def test_split_says_which_classes_a_side_lacks():
    three = dataset_from_points([[0, 0], [1, 0], [2, 0], [3, 0]], [0, 1, 2, 2], "multiclass")
    train, test = three.split(0.25, seed=0)
    assert len(test) == 1 and list(test.labels) == [2]  # the only class with a point to spare
    assert missing_classes(train, test) == {"train": [], "test": [0, 1]}
    assert missing_classes(*make_dataset("sine", n=20).split(0.5, seed=0)) == {"train": [], "test": []}
    one_test_point = ALTERNATING.split(0.2, seed=1)
    assert len(missing_classes(*one_test_point)["test"]) == 1 and missing_classes(*one_test_point)["train"] == []
