"""The duplicate hint: the same phone, or near-identical text about the same unit, within 30 days."""

import datetime
import random

import pytest

from complaints import duplicates
from complaints.duplicates import complaint_duplicate_id
from complaints.models import Complaint
from complaints.transitions import complaint_merge, complaint_reject, complaint_transfer

pytestmark = pytest.mark.django_db

TEXT = "班主任要求每人交200元购买指定教辅资料，不交就不让上晚自习。"
OTHER = "食堂饭菜价格一个月内上涨了一倍，学生反映强烈却无人理会。"
PHONE = "13800138000"


def find(unit, content=TEXT, phone="", now=None):
    found = complaint_duplicate_id(subject_unit=unit, content=content, phone=phone, now=now)
    return Complaint.objects.get(pk=found) if found is not None else None


def test_near_identical_text_about_the_same_unit_is_a_likely_duplicate(cast, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    retyped = " 班主任要求每人交２００元, 购买指定教辅资料!! 不交就不让上晚自习 "
    assert find(cast.units.school, retyped) == first
    # One word changed in a short text is still the same matter (ratio ≥ 0.9).
    assert find(cast.units.school, TEXT.replace("晚自习", "自习")) == first


def test_the_same_text_about_another_unit_or_a_different_text_is_not(cast, file_complaint):
    file_complaint(subject_unit=cast.units.school, content=TEXT)
    assert find(cast.units.bureau) is None
    assert find(None) is None
    assert find(cast.units.school, OTHER) is None
    assert find(cast.units.school, TEXT[:20]) is None


def test_cases_naming_no_unit_are_compared_with_each_other(cast, file_complaint):
    first, _code = file_complaint(subject_unit=None, content=TEXT)
    assert find(None) == first
    assert find(cast.units.school) is None


def test_the_same_phone_within_30_days_is_a_likely_duplicate_whatever_it_is_about(cast, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.sibling, content=OTHER, anonymous=False, phone=PHONE)
    assert find(cast.units.school, phone=PHONE) == first
    assert find(cast.units.school, phone="+86 138 0013 8000") == first
    assert find(cast.units.school, phone="13900139000") is None


def test_a_mobile_stored_with_its_country_code_is_found_by_the_bare_number(cast, file_complaint):
    first, _code = file_complaint(
        subject_unit=cast.units.school, content=OTHER, anonymous=False, phone="+8613800138000"
    )
    assert find(cast.units.bureau, phone=PHONE) == first


def test_text_is_preferred_to_phone_and_the_closest_then_the_newest_text_wins(cast, file_complaint):
    by_text, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    file_complaint(subject_unit=cast.units.sibling, content=OTHER, anonymous=False, phone=PHONE)
    assert find(cast.units.school, phone=PHONE) == by_text
    file_complaint(subject_unit=cast.units.school, content=TEXT.replace("晚自习", "自习"))
    assert find(cast.units.school) == by_text
    newer, _code = file_complaint(subject_unit=cast.units.school, content=TEXT + "。")
    assert find(cast.units.school, phone=PHONE) == newer


def test_the_window_is_30_days_to_the_second(cast, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.school, content=TEXT, anonymous=False, phone=PHONE)
    edge = first.submitted_at + datetime.timedelta(days=30)
    assert find(cast.units.school, now=edge) == first
    assert find(cast.units.bureau, OTHER, phone=PHONE, now=edge) == first
    later = edge + datetime.timedelta(seconds=1)
    assert find(cast.units.school, now=later) is None
    assert find(cast.units.bureau, OTHER, phone=PHONE, now=later) is None


def test_rejected_transferred_and_merged_cases_are_ignored(cast, file_complaint):
    officer = cast.county_officer
    primary, _code = file_complaint(subject_unit=cast.units.bureau, content=OTHER)
    rejected, _code = file_complaint(subject_unit=cast.units.school, content=TEXT, anonymous=False, phone=PHONE)
    complaint_reject(complaint_id=rejected.pk, actor=officer, reason="属于诉讼程序")
    assert find(cast.units.school, phone=PHONE) is None
    transferred, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    complaint_transfer(complaint_id=transferred.pk, actor=officer, to="市场监管局", reason="不属本办管辖")
    assert find(cast.units.school) is None
    merged, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    complaint_merge(complaint_id=merged.pk, actor=officer, primary_id=primary.pk)
    assert find(cast.units.school) is None
    live, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    assert find(cast.units.school) == live


def test_only_the_newest_cases_about_the_unit_are_compared(cast, file_complaint, monkeypatch):
    monkeypatch.setattr(duplicates, "CANDIDATES", 3)
    first, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    for n in range(3):
        file_complaint(subject_unit=cast.units.school, content=f"{OTHER}第{n}次")
    assert find(cast.units.school) is None
    monkeypatch.setattr(duplicates, "CANDIDATES", 4)
    assert find(cast.units.school) == first


def test_the_hint_costs_two_queries_however_many_cases_there_are(cast, file_complaint, django_assert_num_queries):
    for n in range(5):
        file_complaint(subject_unit=cast.units.school, content=f"{OTHER}第{n}次", anonymous=False, phone=PHONE)
    with django_assert_num_queries(2):
        assert find(cast.units.school, phone="13900139000") is None


def test_texts_without_letters_or_a_phone_are_not_compared(cast, file_complaint, django_assert_num_queries):
    file_complaint(subject_unit=cast.units.school, content="！！！")
    with django_assert_num_queries(0):
        assert find(cast.units.school, "？？？") is None


def test_filing_records_the_hint_for_triage(cast, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    again, _code = file_complaint(subject_unit=cast.units.school, content=f"{TEXT}！")
    other, _code = file_complaint(subject_unit=cast.units.sibling, content=OTHER)
    assert first.possible_duplicate_of is None
    assert again.possible_duplicate_of == first
    assert other.possible_duplicate_of is None
    by_phone, _code = file_complaint(subject_unit=cast.units.sibling, content=f"{OTHER}又一次", anonymous=False)
    later, _code = file_complaint(subject_unit=None, content="另一件事情", anonymous=False, phone="+86 13800138000")
    assert later.possible_duplicate_of == by_phone


def test_the_sketch_screen_never_drops_a_text_the_exact_screen_keeps():
    # Texts that share many letters and pairs (words of one vocabulary) stress the bound: each
    # is paired with the next text and with itself one word changed.
    rng = random.Random(7)
    words = ["收费", "学校", "班主任", "教辅", "资料", "晚自习", "二百元", "家长", "不交", "强制", "食堂", "涨价"]
    texts = [rng.choices(words, k=rng.randrange(2, 40)) for _ in range(300)]
    pairs = [("".join(a), "".join(b)) for a, b in zip(texts, texts[1:], strict=False)]
    pairs += [("".join(a), "".join(a[:-1] + [rng.choice(words)])) for a in texts]
    pairs += [("哈" * 600, "哈" * 590), ("哈哈哈", "哈哈"), ("", "ab"), ("！！", "收费")]
    kept_by_sketch = kept_exactly = 0
    for a, b in pairs:
        na, nb = duplicates._normalised(a), duplicates._normalised(b)
        passes_length = 2 * min(len(na), len(nb)) >= duplicates.SIMILARITY * (len(na) + len(nb))
        exact = passes_length and duplicates._pairs_dice(duplicates._pairs(na), duplicates._pairs(nb)) >= 0.6
        sketch_a = duplicates.content_sketch(a)
        sketch_b = duplicates.content_sketch(b)
        by_sketch = sketch_a is None or sketch_b is None or duplicates._may_match(sketch_a, sketch_b)
        kept_exactly += exact
        kept_by_sketch += by_sketch
        assert by_sketch or not exact, (a, b)
    # The edited copies are kept, and the screen rules out most unrelated pairs.
    assert kept_exactly > 250
    assert kept_by_sketch < kept_exactly + 50


def test_a_case_filed_without_a_sketch_is_still_compared_by_its_text(cast, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    assert first.content_sketch is not None
    Complaint.objects.filter(pk=first.pk).update(content_sketch=None)
    assert find(cast.units.school, TEXT.replace("晚自习", "自习")) == first


def test_the_same_text_once_normalised_wins_over_a_newer_near_identical_one(cast, file_complaint):
    same, _code = file_complaint(subject_unit=cast.units.school, content=TEXT)
    file_complaint(subject_unit=cast.units.school, content=TEXT.replace("晚自习", "自习"))
    assert find(cast.units.school, f"  {TEXT.replace('200', '２００')}！") == same
