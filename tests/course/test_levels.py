from deepdive.course.levels import LEVELS, level_for


def test_levels_start_at_zero_and_rise():
    assert LEVELS[0].min_xp == 0
    assert [level.min_xp for level in LEVELS] == sorted({level.min_xp for level in LEVELS})


def test_level_boundaries():
    second = LEVELS[1]
    assert level_for(second.min_xp - 1).level == LEVELS[0]
    assert level_for(second.min_xp).level == second
    assert level_for(10**6).level == LEVELS[-1]
    assert level_for(10**6).next_level is None


def test_percent_to_next_level():
    first, second = LEVELS[0], LEVELS[1]
    halfway = (first.min_xp + second.min_xp) // 2
    assert level_for(halfway).percent_to_next == 50
