"""The complaint flow with the real Rasa and action servers, through the REST channel."""

from customer_care.issue_log import IssueLog

CONFIRMATION = "So, if I understand correctly,"


def logged(assistant, conversation_id):
    log = IssueLog(f"sqlite:///{assistant.work_dir / 'care.db'}")
    try:
        return [entry for entry in log.entries() if entry.conversation_id == conversation_id]
    finally:
        log.close_connections()


def test_specific_complaint_is_paraphrased_solved_rated_and_logged(assistant, customer):
    reply = customer.says("Hi, order 111920 arrived with a broken handle and I want a replacement!!")
    assert reply.startswith(CONFIRMATION) and reply.endswith("Is that right?")
    assert "you want a replacement" in reply
    assert "postcode the order was placed with" in customer.says("yes")
    solution = customer.says("jonas.weber@mailbox.example")
    assert "I'm sorry your item arrived damaged" in solution and "order 111920" in solution
    assert "Does that resolve it for you?" in solution
    assert "How would you rate this chat" in customer.says("yes, thanks")
    assert "anything you'd like to add" in customer.says("4")
    assert "rating this chat 4 out of 5" in customer.says("no")
    [entry] = logged(assistant, customer.sender)
    assert (entry.kind, entry.category, entry.order_number, entry.outcome, entry.rating) == (
        "complaint",
        "damaged_item",
        "111920",
        "solution_accepted",
        4,
    )
    assert "broken handle" in entry.raw_text and "you want a replacement" in entry.paraphrase


def test_vague_complaint_is_clarified_then_two_denials_escalate(assistant, customer):
    assert "describe the problem in more detail" in customer.says("I want to make a complaint")
    first = customer.says("the toaster I bought burns every slice of bread")
    assert first.startswith(CONFIRMATION) and "toaster" in first
    assert "What did I get wrong?" in customer.says("no")
    second = customer.says("it's the timer, it doesn't switch off")
    assert second.startswith(CONFIRMATION)
    # A hand-over the customer did not ask for is offered, not imposed (issue 13).
    offer = customer.says("no, that's not it")
    assert "couldn't get that right" in offer and "Would you like me to pass this to a member of our team?" in offer
    assert "What e-mail address" not in offer
    assert "What e-mail address" in customer.says("yes")
    assert "reply by e-mail to ana@example.com" in customer.says("ana@example.com")
    assert [(entry.kind, entry.outcome) for entry in logged(assistant, customer.sender)] == [
        ("complaint", "escalated"),
        ("escalation", "escalated"),
    ]


def test_correction_in_the_denial_is_paraphrased_again(customer):
    customer.says("my parcel was left in the rain and the box is soaked")
    corrected = customer.says("no, the box was fine but the lamp inside is smashed")
    assert corrected.startswith(CONFIRMATION) and "lamp" in corrected


def test_complaint_inside_a_form_then_back_to_the_form(customer):
    assert "order number" in customer.says("where is my order?")
    reply = customer.says("your courier threw my last parcel over the fence and the vase in it broke")
    assert reply.startswith(CONFIRMATION) and "our courier" in reply
    assert "Which order is this about?" in customer.says("yes")
    assert "postcode the order was placed with" in customer.says("111920")
    assert "Does that resolve it for you?" in customer.says("80331")
    assert "How would you rate this chat" in customer.says("yes")
    customer.says("5")
    resumed = customer.say("no")
    # The paused tracking form comes back and uses the order number the complaint was about.
    assert "Now, back to where we were." in resumed and resumed[-1].startswith("Order 111920")


def test_profanity_is_not_echoed(customer):
    reply = customer.says("this is fucking ridiculous, the damn blender I ordered is broken")
    assert reply.startswith(CONFIRMATION)
    assert "fuck" not in reply.lower() and "damn" not in reply.lower()


def test_a_bare_number_is_no_answer_to_a_yes_no_question(assistant, customer):
    # Seen in a stranger's chat: "3" was classified affirm (0.35) and taken as a yes to the hand-over offer.
    customer.says("I want to make a complaint")
    customer.says("the toaster I bought burns every slice of bread")
    customer.says("no")
    customer.says("it's the timer, it doesn't switch off")
    offer = customer.says("no, that's not it")
    assert "Would you like me to pass this to a member of our team?" in offer
    after_number = customer.says("3")
    assert "What e-mail address" not in after_number
    assert "What e-mail address" in customer.says("yes")
    assert [entry.outcome for entry in logged(assistant, customer.sender) if entry.kind == "escalation"] == []
