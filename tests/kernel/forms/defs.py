"""Small definition builders shared by the forms engine tests."""

from typing import Any

from yakuba.kernel.forms.definition import FormDefinition


def field(name: str, type: str, label: str = "", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "type": type, "label": label or name}
    if type in ("choice", "multi_choice") and "options" not in extra:
        extra["options"] = [["a", "はい"], ["b", "いいえ"]]
    if type == "group" and "fields" not in extra:
        extra["fields"] = [{"name": "name", "type": "name", "label": "氏名"}]
    data.update(extra)
    return data


def definition(*fields: dict[str, Any], pages: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    page_list = pages or [list(fields)]
    return {"title": "転入届", "version": 1,
            "pages": [{"title": f"{i + 1}ページ目", "fields": page} for i, page in enumerate(page_list)]}


def make(*fields: dict[str, Any], pages: list[list[dict[str, Any]]] | None = None) -> FormDefinition:
    return FormDefinition.from_dict(definition(*fields, pages=pages))


def moving_in() -> FormDefinition:
    """A realistic 転入届: applicant, address, family members, fee, consent."""
    return make(pages=[
        [
            field("applicant", "name", "氏名"),
            field("applicant_kana", "name_kana", "氏名（フリガナ）"),
            field("birthdate", "date", "生年月日"),
            field("postal_code", "postal_code", "郵便番号"),
            field("address", "address", "住所", max_length=200),
            field("phone", "phone", "電話番号", required=False),
            field("email", "email", "メールアドレス", required=False),
        ],
        [
            field("has_family", "choice", "一緒に転入する家族", options=[["yes", "いる"], ["no", "いない"]]),
            field("family", "group", "家族", item_label="{n}人目", max_items=5,
                  condition={"field": "has_family", "equals": "yes"},
                  fields=[field("name", "name", "氏名"), field("birthdate", "date", "生年月日"),
                          field("relation", "choice", "続柄", options=[["spouse", "配偶者"], ["child", "子"]]),
                          field("school", "text", "学校名", required=False,
                                condition={"field": "relation", "equals": "child"})]),
            field("copies", "number", "住民票の通数", min=0, max=10),
            field("fee", "money", "手数料", required=False),
            field("needs", "multi_choice", "必要な手続", required=False,
                  options=[["health", "国民健康保険"], ["pension", "国民年金"], ["school", "転入学"]]),
            field("note", "textarea", "備考", required=False),
            field("document", "file", "本人確認書類", required=False, accept=["image/jpeg", "application/pdf"],
                  max_size=5_000_000),
            field("agree", "consent", "個人情報の取扱い"),
        ],
    ])
