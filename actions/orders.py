"""Order forms, their validation and the actions that look up or change an order."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.customers import VERIFIED_ORDERS, client_of, may_see, signed_in_customer
from actions.handoff import hand_over
from actions.messages import form_answer, latest_intent_and_text
from actions.services import escalation_settings, order_backend, order_lookups, profile
from customer_care import form_answers, order_replies
from customer_care.escalation import Trigger
from customer_care.names import first_name
from customer_care.order_access import belongs_to, details_match
from customer_care.orders import Order, OrderNotChangeable, OrderStatus, parse_order_number
from customer_care.replies import Reply, shop_today

ORDER_NUMBER = "order_number"
ORDER_CHECK = "order_check"
LOOKUPS_REFUSED = "order_lookups_refused"
PROOF_NOT_AT_HAND = "\u0000not at hand"  # order_check's value for "I don't remember it" (no customer can type it)
CONFIRM_CANCELLATION = "confirm_cancellation"
SHIPPING_ADDRESS = "shipping_address"


def current_order(tracker: Tracker) -> Optional[Order]:
    """The order the form asked about, when this customer may see it (actions.customers.may_see)."""
    number = tracker.get_slot(ORDER_NUMBER)
    order = order_backend().find_order(number) if number else None
    return order if may_see(tracker, order) else None


def customer_first_name(tracker: Tracker) -> Optional[str]:
    return first_name(tracker.get_slot("customer_name"))


def say(dispatcher: CollectingDispatcher, reply: Reply, **message: Any) -> None:
    """Sends a reply's domain response with its values (and `message` extras such as buttons)."""
    dispatcher.utter_message(response=reply.response, **reply.values, **message)


def _lookup_allowed(tracker: Tracker) -> bool:
    return order_lookups().allowed(tracker.sender_id, client_of(tracker))


def no_order_to_show(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict]:
    """What an order action says when the form ended without an order this customer may see (nothing more when
    the form already said that this chat has used up its look-ups)."""
    if tracker.get_slot(LOOKUPS_REFUSED):
        return [SlotSet(LOOKUPS_REFUSED, None)]
    dispatcher.utter_message(response="utter_not_understood")
    return []


class OrderNumberValidation:
    """The order number every order form asks for, and the proof that the customer may see that order.

    A signed-in customer's number is checked against their account at once. An anonymous customer's number is
    only checked for its form; the form then asks for the order's e-mail address or postcode (`order_check`),
    and only a matching pair opens the order. Unknown numbers and wrong details get the same answer.
    """

    def order_slots(self, tracker: Tracker) -> List[Text]:
        """`order_number`, then `order_check` while an anonymous customer has not proved this order."""
        number = tracker.get_slot(ORDER_NUMBER)
        proved = tracker.get_slot(VERIFIED_ORDERS) or []
        if number and signed_in_customer(tracker) is None and number not in proved:
            return [ORDER_NUMBER, ORDER_CHECK]
        return [ORDER_NUMBER]

    def refused_slots(self) -> Dict[Text, Any]:
        """The slots that end the order part of the form once this chat has used up its look-ups."""
        return {ORDER_NUMBER: None, ORDER_CHECK: None, LOOKUPS_REFUSED: True}

    def _refuse(self, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        say(dispatcher, order_replies.lookups_refused(profile()))
        return self.refused_slots()

    def validate_order_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number, problem = parse_order_number(str(slot_value or ""))
        if problem is not None:
            say(dispatcher, order_replies.order_number_problem(problem))
            return {ORDER_NUMBER: None}
        assert number is not None  # parse_order_number gives either a number or a problem
        customer = signed_in_customer(tracker)
        if customer is None:
            return {ORDER_NUMBER: number}  # nothing is said about it until the customer proves it
        if not _lookup_allowed(tracker):
            return self._refuse(dispatcher)
        if not belongs_to(order_backend().find_order(number), customer):
            order_lookups().failed(client_of(tracker))
            say(dispatcher, order_replies.unknown_order_on_account(number, profile()))
            return {ORDER_NUMBER: None}
        return {ORDER_NUMBER: number}

    def extract_order_check(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != ORDER_CHECK:
            return {}
        reading = form_answers.read_order_check(*latest_intent_and_text(tracker))
        if reading.kind is form_answers.Kind.DECLINE:
            return {ORDER_CHECK: PROOF_NOT_AT_HAND}
        return {ORDER_CHECK: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def validate_order_check(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = tracker.get_slot(ORDER_NUMBER)
        if not number:
            return {ORDER_CHECK: None}
        if slot_value == PROOF_NOT_AT_HAND:  # nothing to look up: say what else works, ask again
            say(dispatcher, order_replies.proof_not_at_hand(profile()))
            return {ORDER_CHECK: None}
        if not _lookup_allowed(tracker):
            return self._refuse(dispatcher)
        order = order_backend().find_order(number)
        if order is not None and details_match(order, str(slot_value or "")):
            proved = list(tracker.get_slot(VERIFIED_ORDERS) or [])
            return {ORDER_CHECK: None, VERIFIED_ORDERS: proved + [number] if number not in proved else proved}
        order_lookups().failed(client_of(tracker))
        say(dispatcher, order_replies.order_details_do_not_match(profile()))
        return {ORDER_CHECK: None, ORDER_NUMBER: None}


class OrderFormValidation(OrderNumberValidation):
    """An order form's validation (mixed into a FormValidationAction): the order slots, then the form's own
    slots once the order is open to this customer."""

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot(LOOKUPS_REFUSED):
            return []
        order_slots = self.order_slots(tracker)
        if ORDER_CHECK in order_slots or not tracker.get_slot(ORDER_NUMBER):
            return order_slots
        return order_slots + self.slots_after_order(current_order(tracker), domain_slots)

    def slots_after_order(self, order: Optional[Order], domain_slots: List[Text]) -> List[Text]:
        return [slot for slot in domain_slots if slot not in (ORDER_NUMBER, ORDER_CHECK)]


class ValidateTrackOrderForm(OrderFormValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_track_order_form"


class ValidateTrackRefundForm(OrderFormValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_track_refund_form"


class ValidateCancelOrderForm(OrderFormValidation, FormValidationAction):
    """Asks for confirmation only when the order can still be cancelled."""

    def name(self) -> Text:
        return "validate_cancel_order_form"

    def slots_after_order(self, order: Optional[Order], domain_slots: List[Text]) -> List[Text]:
        return [] if order is not None and not order.can_be_cancelled else [CONFIRM_CANCELLATION]


class ValidateChangeAddressForm(OrderFormValidation, FormValidationAction):
    """Asks for the new address only when the order has not shipped; checks it looks like an address."""

    def name(self) -> Text:
        return "validate_change_address_form"

    def slots_after_order(self, order: Optional[Order], domain_slots: List[Text]) -> List[Text]:
        return [] if order is not None and not order.address_can_change else [SHIPPING_ADDRESS]

    def extract_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The new address; a goodbye, "no", small talk or a new question is no answer (the form rejects it)."""
        return form_answer(tracker, SHIPPING_ADDRESS, form_answers.read_address)

    def validate_shipping_address(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        address = " ".join(str(slot_value or "").split())
        if not form_answers.looks_like_address(address):
            dispatcher.utter_message(response="utter_invalid_shipping_address")
            return {SHIPPING_ADDRESS: None}
        return {SHIPPING_ADDRESS: address}


class ActionAskOrderNumber(Action):
    def name(self) -> Text:
        return "action_ask_order_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        """A signed-in customer gets their recent orders as buttons: nothing to look up or type."""
        customer = signed_in_customer(tracker)
        numbers = order_backend().numbers_for_email(customer.email) if customer else []
        if numbers:
            dispatcher.utter_message(
                response="utter_ask_which_order", buttons=[{"title": number, "payload": number} for number in numbers]
            )
        else:
            dispatcher.utter_message(response="utter_ask_order_number")
        return []


class ActionAskConfirmCancellation(Action):
    """Shows what would be cancelled before asking for a yes or no."""

    def name(self) -> Text:
        return "action_ask_confirm_cancellation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = current_order(tracker)
        if order is None:
            dispatcher.utter_message(response="utter_ask_order_number")
        else:
            say(dispatcher, order_replies.cancellation_question(order))
        return []


class ActionTrackOrder(Action):
    def name(self) -> Text:
        return "action_track_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = current_order(tracker)
        if order is None:
            return no_order_to_show(dispatcher, tracker)
        say(dispatcher, order_replies.tracking_status(order, shop_today(profile())))
        return []


class ActionTrackRefund(Action):
    def name(self) -> Text:
        return "action_track_refund"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = current_order(tracker)
        if order is None:
            return no_order_to_show(dispatcher, tracker)
        say(dispatcher, order_replies.refund_status(order, profile(), shop_today(profile())))
        return []


# Orders a cancellation can't stop any more: a person may still find a way (intercept, early return).
ALREADY_ON_ITS_WAY = (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED)


class ActionCancelOrder(Action):
    """Cancels the order once the customer confirmed; explains politely when it has shipped."""

    def name(self) -> Text:
        return "action_cancel_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = current_order(tracker)
        if order is None:
            return no_order_to_show(dispatcher, tracker) + [SlotSet(CONFIRM_CANCELLATION, None)]
        if not order.can_be_cancelled:
            say(dispatcher, order_replies.cannot_cancel(order, profile()))
            if order.status in ALREADY_ON_ITS_WAY and escalation_settings().enabled(Trigger.NOT_ALLOWED):
                # Offered, not imposed: the customer may just want to know, or say goodbye.
                dispatcher.utter_message(response="utter_order_team_may_find_a_way")
                return [SlotSet(CONFIRM_CANCELLATION, None)] + hand_over(
                    Trigger.NOT_ALLOWED,
                    f"Wants to cancel order {order.number}, which is already {order.status.value.replace('_', ' ')}.",
                )
        elif tracker.get_slot(CONFIRM_CANCELLATION):
            try:
                cancelled = order_backend().cancel_order(order.number)
                say(dispatcher, order_replies.order_cancelled(cancelled, profile(), customer_first_name(tracker)))
            except OrderNotChangeable:
                say(dispatcher, order_replies.cannot_cancel(current_order(tracker) or order, profile()))
        else:
            say(dispatcher, order_replies.cancellation_kept(order.number))
        return [SlotSet(CONFIRM_CANCELLATION, None)]


class ActionChangeShippingAddress(Action):
    """Changes the delivery address of an order that has not left the warehouse."""

    def name(self) -> Text:
        return "action_change_shipping_address"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = current_order(tracker)
        address = tracker.get_slot(SHIPPING_ADDRESS)
        if order is None:
            return no_order_to_show(dispatcher, tracker) + [SlotSet(SHIPPING_ADDRESS, None)]
        if not order.address_can_change:
            say(dispatcher, order_replies.cannot_change_address(order))
        elif not address:
            dispatcher.utter_message(response="utter_not_understood")
        else:
            try:
                changed = order_backend().change_shipping_address(order.number, address)
                say(dispatcher, order_replies.address_changed(changed, customer_first_name(tracker)))
            except OrderNotChangeable:
                say(dispatcher, order_replies.cannot_change_address(current_order(tracker) or order))
        return [SlotSet(SHIPPING_ADDRESS, None)]
