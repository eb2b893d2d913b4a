"""How the schema describes Open311's errors: GeoReport v2's list, in XML or JSON by the path's
suffix, under the statuses open311_exception_handler keeps (every other error answers 400)."""

from jiufeng.schema import AutoSchema

from .render import KEPT_STATUSES

ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


class Open311Schema(AutoSchema):
    error_media_types = ("text/xml", "application/json")
    error_component_prefix = "Open311"

    def error_body(self, status: int) -> dict:
        return ERROR_LIST

    def error_statuses(self, operation: dict) -> set[int]:
        return {status if status in KEPT_STATUSES else 400 for status in super().error_statuses(operation)}
