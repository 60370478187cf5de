"""Understanding a customer's complaint without a trained model.

    >>> analysis = analyse_complaint("Hi, my parcel came with a cracked screen and I want a refund!!")
    >>> analysis.confirmation
    'So, if I understand correctly, your parcel came with a cracked screen and you want a refund. Is that right?'
    >>> analysis.category.label, analysis.wants
    ('Damaged or faulty item', 'a refund')

Built on spacy.blank("en") with rule components only (an own lemma table, the sentencizer, Matcher and
PhraseMatcher rules); the pipeline is built on first use and shared by all later calls.
"""

from customer_care.complaints.analysis import analyse_complaint, confirmation_sentence
from customer_care.complaints.model import ComplaintAnalysis, IssueCategory, Severity

__all__ = ["ComplaintAnalysis", "IssueCategory", "Severity", "analyse_complaint", "confirmation_sentence"]
