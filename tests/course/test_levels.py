from deepdive.course.levels import ladder, level_for

LEVELS = ladder(2000)


def test_levels_start_at_zero_and_rise():
    assert LEVELS[0].min_xp == 0
    assert [level.min_xp for level in LEVELS] == sorted({level.min_xp for level in LEVELS})


def test_level_boundaries():
    second = LEVELS[1]
    assert level_for(second.min_xp - 1, LEVELS).level == LEVELS[0]
    assert level_for(second.min_xp, LEVELS).level == second
    assert level_for(10**6, LEVELS).level == LEVELS[-1]
    assert level_for(10**6, LEVELS).next_level is None


def test_percent_to_next_level():
    first, second = LEVELS[0], LEVELS[1]
    halfway = (first.min_xp + second.min_xp) // 2
    assert level_for(halfway, LEVELS).percent_to_next == 50


def test_finishing_the_course_reaches_the_top_level_and_not_before(course):
    levels = course.levels
    total = course.total_xp
    assert total == sum(course.award_keys.values()) > 0
    assert levels[-1].min_xp == total
    assert level_for(total, levels).level == levels[-1]
    assert level_for(total - 1, levels).level != levels[-1]


def test_a_small_course_still_has_rising_levels():
    small = ladder(3)
    assert [level.min_xp for level in small] == sorted({level.min_xp for level in small})
    assert small[0].min_xp == 0
