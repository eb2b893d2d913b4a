"""/api/v1/appraisal/{code}/: the holder of an invitation code reads its questionnaire and answers it once.

No account and no session: the code is the permission. Every call looks the code up through
evaluations.codes.invitation_lookup, which counts wrong codes per address and overall and
refuses them past either limit (429), while a right code keeps working. Unknown 404; used,
or the appraisal not open, 409; bad answers 400 with the errors per question.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.errors import Conflict, request_data

from ..codes import CodeThrottled, InvitationNotFound, InvitationRefused, code_throttled_message, invitation_lookup
from ..forms.responding import answer_choices
from ..models import Invitation
from ..services.responding import answer_field, response_submit

CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH, description="the invitation code (邀请码)")
# No questionnaire has this many questions; a longer list of answers is refused unread.
ANSWERS_MAX = 100
ERRORS = {
    404: OpenApiResponse(description="no invitation has this code"),
    409: OpenApiResponse(description="the code was used, or the appraisal is not open for responses"),
    429: OpenApiResponse(description="too many wrong codes from this address or overall; see Retry-After"),
}


class ChoiceSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    scale = serializers.CharField(help_text="three_level (3 满意, 2 基本满意, 1 不满意) | five_point (5 … 1)")
    values = ChoiceSerializer(many=True, help_text="the answers this question takes, best first")
    required = serializers.BooleanField()


class QuestionnaireSerializer(serializers.Serializer):
    appraisal = serializers.CharField(help_text="the appraisal's name")
    unit = serializers.CharField(help_text="the unit rated")
    introduction = serializers.CharField(allow_blank=True)
    items = ItemSerializer(many=True)


class AnswerInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='{"<item id>": value}: every required item, each value one of its values',
    )
    # Its length is response_submit's to judge, with the same message as the page's.
    comment = serializers.CharField(allow_blank=True, required=False, default="", trim_whitespace=False)

    def validate_answers(self, answers: dict) -> dict[int, int]:
        if len(answers) > ANSWERS_MAX:
            raise serializers.ValidationError(
                _("At most %(max)d answers: this questionnaire has fewer questions.") % {"max": ANSWERS_MAX}
            )
        bad = [key for key in answers if not (key.isascii() and key.isdigit() and len(key) <= 18)]
        if bad:
            raise serializers.ValidationError(
                _("Question ids are whole numbers; these are not: %(keys)s.") % {"keys": ", ".join(bad[:5])[:200]}
            )
        return {int(key): value for key, value in answers.items()}


class ThanksSerializer(serializers.Serializer):
    thanks = serializers.CharField()


def _answer_errors(error: ValidationError) -> dict:
    """The service's errors as the API names them.

    {"answers": {"<item id>": [...]}, "comment": [...], "detail": [...]}: what concerns no one field under "detail".
    """
    if not hasattr(error, "error_dict"):
        return {"detail": error.messages}
    answers, errors = {}, {}
    prefix = answer_field("")
    for field, messages in error.message_dict.items():
        if field.startswith(prefix):
            answers[field.removeprefix(prefix)] = messages
        else:
            errors["detail" if field == NON_FIELD_ERRORS else field] = messages
    if answers:
        errors["answers"] = answers
    return errors


@contextmanager
def _refusals():
    """invitation_lookup's and response_submit's refusals as 404, 409 and 429."""
    try:
        yield
    except InvitationNotFound as error:
        raise exceptions.NotFound(
            _("No invitation has this code. Check each letter and digit and try again.")
        ) from error
    except InvitationRefused as error:
        raise Conflict(error.message) from error
    except CodeThrottled as error:
        # REST framework adds Retry-After and says when in the detail.
        raise exceptions.Throttled(wait=error.retry_after, detail=code_throttled_message(error)) from error


class AppraisalAnswerView(APIView):
    """Anyone holding a code; no account, no session (so no CSRF to present)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def invitation(self, code: str) -> Invitation:
        with _refusals():
            return invitation_lookup(request=self.request, code=code)

    @extend_schema(parameters=[CODE_PARAMETER], responses={200: QuestionnaireSerializer, **ERRORS})
    def get(self, request, code: str):
        """The questionnaire this code answers: the appraisal, the unit rated, each question and its answers."""
        invitation = self.invitation(code)
        questionnaire = invitation.appraisal.questionnaire
        data = {
            "appraisal": invitation.appraisal.name,
            "unit": invitation.appraised_unit.unit.name,
            "introduction": questionnaire.introduction,
            "items": [
                {
                    "id": item.pk,
                    "text": item.text,
                    "scale": item.scale,
                    "values": [{"value": value, "label": label} for value, label in answer_choices(item)],
                    "required": item.required,
                }
                for item in questionnaire.items.all()
            ],
        }
        return Response(QuestionnaireSerializer(data).data)

    @extend_schema(
        parameters=[CODE_PARAMETER],
        request=AnswerInputSerializer,
        responses={
            201: ThanksSerializer,
            400: OpenApiResponse(description='{"answers": {"<item id>": [...]}, "comment": [...], "detail": [...]}'),
            **ERRORS,
        },
    )
    def post(self, request, code: str):
        """Answer once: 201 with thanks; the code is used up. The response is anonymous."""
        invitation = self.invitation(code)
        given = AnswerInputSerializer(data=request_data(request))
        given.is_valid(raise_exception=True)
        try:
            with _refusals():
                response_submit(code=invitation.code, **given.validated_data)
        except ValidationError as error:
            raise serializers.ValidationError(_answer_errors(error)) from error
        return Response(
            ThanksSerializer({"thanks": _("Thank you: your answers have been received, anonymously.")}).data,
            status=status.HTTP_201_CREATED,
        )


# Included under /api/v1/ (jiufeng.api_urls, namespace "api").
urlpatterns = [
    path("appraisal/<str:code>/", AppraisalAnswerView.as_view(), name="appraisal-answer"),
]
