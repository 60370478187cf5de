"""Customers in the chat widget on the demo shop page, and an agent in the console, in a real browser."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import AGENT, save_readme_screenshot

BOT = ".rw-response"
CUSTOMER = ".rw-client"


class Widget:
    """The rasa-webchat widget on the shop page, used as a customer would, with the keyboard."""

    def __init__(self, page: Page, shop_url: str) -> None:
        self.page = page
        page.goto(shop_url)
        self.open()

    def open(self) -> None:
        """Open the chat unless the widget restored it open (it remembers that across reloads)."""
        launcher = self.page.locator(".rw-launcher")
        launcher.wait_for()
        if self.page.locator(".rw-widget-container.rw-chat-open").count() == 0:
            launcher.focus()
            self.page.keyboard.press("Enter")
        expect(self.page.locator(".rw-new-message")).to_be_visible()

    def say(self, text: str) -> None:
        field = self.page.locator(".rw-new-message")
        field.focus()
        field.fill(text)
        self.page.keyboard.press("Enter")
        expect(self.page.locator(CUSTOMER).last).to_contain_text(text[:40])

    def expect_bot(self, text: str) -> None:
        expect(self.page.locator(BOT).filter(has_text=text).last).to_be_visible()


def shop_url(servers, **customer) -> str:
    query = "&".join(f"{key}={value}" for key, value in customer.items())
    return f"{servers.console_url}/shop/" + (f"?{query}" if query else "")


def test_a_customer_asks_a_shop_question_and_tracks_an_order(servers, new_page):
    page = new_page()
    widget = Widget(page, shop_url(servers))
    widget.expect_bot("May I ask your name?")  # the bot greets first
    expect(page.locator(".rw-new-message")).to_have_attribute("aria-label", re.compile("Message"))
    widget.say("what delivery options do you have?")
    widget.expect_bot("Express")
    widget.say("where is my order 109112")
    widget.expect_bot("postcode the order was placed with")  # an anonymous customer proves the order first
    widget.say("12059")
    widget.expect_bot("DHL")


def test_a_vague_complaint_is_clarified_paraphrased_solved_and_rated(servers, new_page):
    page = new_page()
    widget = Widget(page, shop_url(servers, name="Jonas", email="jonas.weber@mailbox.example"))
    widget.expect_bot("Hi Jonas!")  # the shop page's signed token told the bot who is signed in
    widget.say("I want to make a complaint")
    widget.expect_bot("describe the problem in more detail")
    widget.say("the kettle I bought arrived with a cracked lid")
    widget.expect_bot("So, if I understand correctly, the kettle you bought arrived with a cracked lid")
    page.locator(".rw-reply", has_text="Yes").last.click()
    widget.expect_bot("Which order is this about?")
    widget.say("111920")
    widget.expect_bot("Does that resolve it for you?")
    widget.say("yes, thanks")
    widget.expect_bot("How would you rate this chat")
    page.locator(".rw-reply", has_text="4").last.click()
    widget.expect_bot("anything you'd like to add")
    widget.say("no")
    widget.expect_bot("rating this chat 4 out of 5")


def log_in(page: Page, console_url: str) -> None:
    username, _, password = AGENT
    page.goto(f"{console_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    expect(page.locator("#queue-rows")).to_be_visible()


def test_an_agent_takes_over_in_the_console_and_hands_back(servers, new_page):
    agent = new_page()
    log_in(agent, servers.console_url)  # an agent online: the bot can connect the customer live
    customer_page = new_page()
    widget = Widget(customer_page, shop_url(servers, name="Marta", email="marta.k@mailbox.example"))
    widget.expect_bot("Hi Marta!")
    widget.say("my parcel is damaged, can I talk to a person please")
    widget.expect_bot("connecting you")

    row = agent.locator("#queue-rows tr", has_text="my parcel is damaged")
    expect(row).to_be_visible()  # the queue refreshes by itself
    row.get_by_role("link").click()
    expect(agent.locator("#transcript")).to_contain_text("can I talk to a person")
    agent.fill("#reply-text", "Hello Marta, I'm Sam. I'm sorry about the parcel; I'll send a new one today.")
    agent.get_by_role("button", name="Send reply").click()

    widget.expect_bot("Sam Lee (customer care): Hello Marta, I'm Sam.")
    save_readme_screenshot(customer_page, "widget.png")
    expect(agent.locator("#transcript")).to_contain_text("Hello Marta, I'm Sam.")
    save_readme_screenshot(agent, "console.png")

    agent.get_by_role("button", name="Hand back to bot").click()
    widget.expect_bot("handed this chat back to me")
    widget.expect_bot("How would you rate this chat")
    widget.say("5")
    widget.expect_bot("anything you'd like to add")
    widget.say("no thanks")
    widget.expect_bot("rating this chat 5 out of 5")
    widget.say("do you take paypal?")
    widget.expect_bot("PayPal")


def test_html_from_a_customer_is_shown_as_text_in_the_widget_and_the_console(servers, new_page):
    agent = new_page()
    log_in(agent, servers.console_url)
    customer_page = new_page()
    widget = Widget(customer_page, shop_url(servers))
    widget.say("I need to speak to a human")
    widget.expect_bot("connecting you")
    attack = "<img src=x onerror=alert(1)>"
    widget.say(attack)
    expect(customer_page.locator(CUSTOMER).last).to_have_text(attack)
    expect(customer_page.locator(f"{CUSTOMER} img")).to_have_count(0)

    row = agent.locator("#queue-rows tr", has_text="speak to a human")
    row.get_by_role("link").click()
    expect(agent.locator("#transcript")).to_contain_text(attack)
    expect(agent.locator("#transcript img")).to_have_count(0)
    agent.wait_for_timeout(1000)
    assert customer_page.dialogs == [] and agent.dialogs == []


def test_reloading_the_page_keeps_the_conversation(servers, new_page):
    page = new_page()
    widget = Widget(page, shop_url(servers))
    widget.say("how long do I have to return something?")
    widget.expect_bot("30 days")
    page.reload()
    widget.open()
    expect(page.locator(CUSTOMER).filter(has_text="how long do I have to return something?")).to_be_visible()
    widget.expect_bot("30 days")
    widget.say("and do you take paypal?")
    widget.expect_bot("PayPal")
