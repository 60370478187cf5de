"""Order forms, their validation and the actions that look up or change an order."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_over
from actions.messages import latest_intent_and_text
from actions.services import escalation_settings, order_backend, profile
from customer_care import form_answers, order_replies
from customer_care.answers import NOT_UNDERSTOOD
from customer_care.escalation import Trigger
from customer_care.names import first_name
from customer_care.orders import Order, OrderNotChangeable, OrderStatus, parse_order_number

ORDER_NUMBER = "order_number"
CONFIRM_CANCELLATION = "confirm_cancellation"
SHIPPING_ADDRESS = "shipping_address"



def _current_order(tracker: Tracker) -> Optional[Order]:
    number = tracker.get_slot(ORDER_NUMBER)
    return order_backend().find_order(number) if number else None


def _greeting_name(tracker: Tracker) -> str:
    name = first_name(tracker.get_slot("customer_name"))
    return f", {name}" if name else ""


class OrderNumberValidation:
    """`validate_order_number` shared by every form that asks for an order: well-formed and known."""

    def validate_order_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number, problem = parse_order_number(str(slot_value or ""))
        if problem is not None:
            dispatcher.utter_message(text=order_replies.order_number_problem(problem))
            return {ORDER_NUMBER: None}
        if order_backend().find_order(number) is None:
            dispatcher.utter_message(text=order_replies.unknown_order(number, profile()))
            return {ORDER_NUMBER: None}
        return {ORDER_NUMBER: number}


class ValidateTrackOrderForm(OrderNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_track_order_form"


class ValidateTrackRefundForm(OrderNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_track_refund_form"


class ValidateCancelOrderForm(OrderNumberValidation, FormValidationAction):
    """Asks for confirmation only when the order can still be cancelled."""

    def name(self) -> Text:
        return "validate_cancel_order_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        order = _current_order(tracker)
        if order is not None and not order.can_be_cancelled:
            return [ORDER_NUMBER]
        return domain_slots


class ValidateChangeAddressForm(OrderNumberValidation, FormValidationAction):
    """Asks for the new address only when the order has not shipped; checks it looks like an address."""

    def name(self) -> Text:
        return "validate_change_address_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        order = _current_order(tracker)
        if order is not None and not order.address_can_change:
            return [ORDER_NUMBER]
        return domain_slots

    def extract_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The new address; a goodbye, "no", small talk or a new question is no answer (the form rejects it)."""
        if tracker.get_slot("requested_slot") != SHIPPING_ADDRESS:
            return {}
        reading = form_answers.read_address(*latest_intent_and_text(tracker))
        return {SHIPPING_ADDRESS: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def validate_shipping_address(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        address = " ".join(str(slot_value or "").split())
        if not form_answers.looks_like_address(address):
            dispatcher.utter_message(text=order_replies.INVALID_SHIPPING_ADDRESS)
            return {SHIPPING_ADDRESS: None}
        return {SHIPPING_ADDRESS: address}


class ActionAskOrderNumber(Action):
    def name(self) -> Text:
        return "action_ask_order_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(text=order_replies.ASK_ORDER_NUMBER)
        return []


class ActionAskShippingAddress(Action):
    def name(self) -> Text:
        return "action_ask_shipping_address"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(text=order_replies.ASK_SHIPPING_ADDRESS)
        return []


class ActionAskConfirmCancellation(Action):
    """Shows what would be cancelled before asking for a yes or no."""

    def name(self) -> Text:
        return "action_ask_confirm_cancellation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = _current_order(tracker)
        if order is None:
            dispatcher.utter_message(text=order_replies.ASK_ORDER_NUMBER)
        else:
            dispatcher.utter_message(text=order_replies.cancellation_question(order))
        return []


class ActionTrackOrder(Action):
    def name(self) -> Text:
        return "action_track_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = _current_order(tracker)
        if order is None:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        else:
            dispatcher.utter_message(text=order_replies.tracking_status(order))
        return []


class ActionTrackRefund(Action):
    def name(self) -> Text:
        return "action_track_refund"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = _current_order(tracker)
        if order is None:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        else:
            dispatcher.utter_message(text=order_replies.refund_status(order, profile()))
        return []


# Orders a cancellation can't stop any more: a person may still find a way (intercept, early return).
ALREADY_ON_ITS_WAY = (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED)


class ActionCancelOrder(Action):
    """Cancels the order once the customer confirmed; explains politely when it has shipped."""

    def name(self) -> Text:
        return "action_cancel_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = _current_order(tracker)
        if order is None:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        elif not order.can_be_cancelled:
            dispatcher.utter_message(text=order_replies.cannot_cancel(order, profile()))
            if order.status in ALREADY_ON_ITS_WAY and escalation_settings().enabled(Trigger.NOT_ALLOWED):
                # Offered, not imposed: the customer may just want to know, or say goodbye.
                dispatcher.utter_message(text="If that doesn't work for you, a member of our team can look at "
                                              "what else is possible.")
                return [SlotSet(CONFIRM_CANCELLATION, None)] + hand_over(
                    Trigger.NOT_ALLOWED, f"Wants to cancel order {order.number}, which is already "
                                         f"{order.status.value.replace('_', ' ')}.")
        elif tracker.get_slot(CONFIRM_CANCELLATION):
            try:
                cancelled = order_backend().cancel_order(order.number)
                dispatcher.utter_message(
                    text=order_replies.order_cancelled(cancelled, profile(), _greeting_name(tracker))
                )
            except OrderNotChangeable:
                dispatcher.utter_message(text=order_replies.cannot_cancel(_current_order(tracker), profile()))
        else:
            dispatcher.utter_message(text=order_replies.cancellation_kept(order.number))
        return [SlotSet(CONFIRM_CANCELLATION, None)]


class ActionChangeShippingAddress(Action):
    """Changes the delivery address of an order that has not left the warehouse."""

    def name(self) -> Text:
        return "action_change_shipping_address"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        order = _current_order(tracker)
        address = tracker.get_slot(SHIPPING_ADDRESS)
        if order is None:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        elif not order.address_can_change:
            dispatcher.utter_message(text=order_replies.cannot_change_address(order))
        elif not address:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        else:
            try:
                changed = order_backend().change_shipping_address(order.number, address)
                dispatcher.utter_message(text=order_replies.address_changed(changed, _greeting_name(tracker)))
            except OrderNotChangeable:
                dispatcher.utter_message(text=order_replies.cannot_change_address(_current_order(tracker)))
        return [SlotSet(SHIPPING_ADDRESS, None)]
