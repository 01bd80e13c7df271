"""Demo translations of 電子申請 (kernel.words): the 児童手当 procedure in English throughout (name, summary, every
label, hint and option of its form), a few texts in やさしい日本語, and one machine draft left for staff to check."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import services

from ..models import Procedure
from ..words import KIND

JIDOU_TEATE_EN = {
    "title": "Child Allowance: application for approval",
    "summary": "The child allowance is paid to people who raise children up to upper-secondary-school age. "
               "When a child is born or you move into the town, apply within 15 days from the next day.",
    "documents": "Something that shows the bank account in the applicant's name\n"
                 "If you are in the employees' pension scheme: a document that shows your health insurance",
    "fee": "Free of charge",
    "form.title": "Child Allowance: application for approval",
    "form.page.0.title": "The applicant",
    "form.applicant_name.label": "Applicant's full name",
    "form.applicant_kana.label": "Applicant's name in katakana",
    "form.birthdate.label": "Applicant's date of birth",
    "form.postal_code.label": "Postcode",
    "form.address.label": "Home address",
    "form.address.help_text": "The address you are registered at, including the block and room number.",
    "form.phone.label": "Phone number we can reach you on in the daytime",
    "form.phone.help_text": "A mobile number is fine.",
    "form.email.label": "Email",
    "form.email.help_text": "We use it to tell you how your application is going.",
    "form.page.1.title": "Why you apply, and about you",
    "form.reason.label": "Reason for applying",
    "form.reason.option.birth": "A child was born",
    "form.reason.option.move_in": "I moved into the town",
    "form.reason.option.other": "Something else (first application, started raising a child, …)",
    "form.move_in_date.label": "Date you moved in",
    "form.move_in_date.help_text": "Apply within 15 days from the day after you moved in. If you are late, you may "
                                   "not receive the allowance for the months of delay.",
    "form.previous_address.label": "Previous address",
    "form.reason_detail.label": "Details of the reason",
    "form.civil_servant.label": "Is the applicant a public servant?",
    "form.civil_servant.option.no": "No",
    "form.civil_servant.option.yes": "Yes",
    "form.civil_servant.help_text": "Public servants receive the child allowance from their employer.",
    "form.civil_servant_employer.label": "Name of your employer",
    "form.civil_servant_employer.help_text": "The town does not pay it, so you apply at your employer. "
                                             "Please enter it so we can check.",
    "form.spouse.label": "Do you have a spouse?",
    "form.spouse.option.yes": "Yes, I have a spouse",
    "form.spouse.option.no": "No spouse",
    "form.spouse.help_text": "When both parents have an income, the one with the higher income is, as a rule, "
                             "the applicant.",
    "form.page.2.title": "Children you raise",
    "form.children.label": "Child",
    "form.children.item_label": "no. {n}",
    "form.children.help_text": "Enter each child up to upper-secondary-school age (until the first 31 March after "
                               "their 18th birthday), oldest first.",
    "form.children.child_name.label": "Child's full name",
    "form.children.child_kana.label": "Child's name in katakana",
    "form.children.child_birthdate.label": "Child's date of birth",
    "form.children.relation.label": "Relationship to the applicant",
    "form.children.relation.option.child": "Son or daughter",
    "form.children.relation.option.stepchild": "Adopted child or stepchild",
    "form.children.relation.option.grandchild": "Grandchild",
    "form.children.relation.option.other": "Another relationship",
    "form.children.relation_other.label": "Relationship (other)",
    "form.children.living.label": "Living with you or apart",
    "form.children.living.option.together": "Lives with me",
    "form.children.living.option.apart": "Lives apart from me",
    "form.children.apart_address.label": "Address of the child living apart",
    "form.children.apart_address.help_text": "If the child lives apart, we may ask you for a statement that you "
                                             "look after the child while living apart.",
    "form.page.3.title": "Bank account for payment",
    "form.bank_name.label": "Name of the bank",
    "form.bank_name.help_text": "For example: Shinonome Shinkin Bank, Japan Post Bank",
    "form.branch_name.label": "Branch",
    "form.branch_name.help_text": "For Japan Post Bank, enter the branch name for transfers (three kanji numerals).",
    "form.account_type.label": "Type of account",
    "form.account_type.option.ordinary": "Ordinary (futsū)",
    "form.account_type.option.current": "Current (tōza)",
    "form.account_number.label": "Account number",
    "form.account_number.help_text": "The number in your bankbook. If it has fewer than 7 digits, add 0s in front.",
    "form.account_holder.label": "Account holder's name in katakana",
    "form.account_holder.help_text": "The holder's name as written in the bankbook, in katakana. It must be the "
                                     "applicant's own account.",
    "form.page.4.title": "Documents and confirmation",
    "form.insurance_document.label": "Document showing the applicant's health insurance",
    "form.insurance_document.help_text": "Only if you are in the employees' pension scheme (a copy of your "
                                         "eligibility certificate or notice). PDF, JPEG, PNG or HEIC, up to 10 MB.",
    "form.declaration.label": "I confirm that what I entered is correct",
}

JIDOU_TEATE_EASY = {
    "title": "じどうてあて（子どもの ための お金）を もらう 申しこみ",
    "summary": "高校生くらいまでの 子どもを そだてている 人が もらえる お金です。"
               "子どもが うまれた ときや、町に ひっこして きた ときは、15日の あいだに 申しこんで ください。",
    "form.page.0.title": "申しこむ 人",
    "form.reason.label": "申しこむ りゆう",
}

# Left as an AI draft, unchecked: residents never see it; staff see 「AIの下書き」 and check or correct it.
INU_TOUROKU_DRAFT_EN = {"title": "Dog registration application"}


def load(municipality: Municipality, town: Town) -> None:
    child = Procedure.objects.filter(slug="jidou-teate").first()
    if child is not None:
        services.load_texts(municipality, KIND, str(child.pk), "en", JIDOU_TEATE_EN, checked=True)
        services.load_texts(municipality, KIND, str(child.pk), "easy", JIDOU_TEATE_EASY, checked=True)
    dog = Procedure.objects.filter(slug="inu-touroku").first()
    if dog is not None:
        services.load_texts(municipality, KIND, str(dog.pk), "en", INU_TOUROKU_DRAFT_EN, checked=False, machine=True)
