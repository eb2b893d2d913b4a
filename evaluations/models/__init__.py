from .appraisals import PARTS, Appraisal, AppraisalState, AppraisedUnit, EvaluatorGroup, Grade
from .evaluators import Evaluator
from .observations import Observation
from .questionnaires import SCALE_POINTS, THREE_LEVEL_LABELS, QuestionItem, Questionnaire, Scale
from .responses import CODE_ALPHABET, CODE_LENGTH, INVITED_GROUPS, Answer, Invitation, Response

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "INVITED_GROUPS",
    "PARTS",
    "SCALE_POINTS",
    "THREE_LEVEL_LABELS",
    "Answer",
    "Appraisal",
    "AppraisalState",
    "AppraisedUnit",
    "Evaluator",
    "EvaluatorGroup",
    "Grade",
    "Invitation",
    "Observation",
    "QuestionItem",
    "Questionnaire",
    "Response",
    "Scale",
]
