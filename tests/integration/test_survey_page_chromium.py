# SPDX-License-Identifier: GPL-3.0-or-later
"""The public survey page in a real browser: Debian's chromium, headless,
driven through chromedriver (python3-selenium).

A customer opens the link, taps a face and sends: the thank-you page. The
same link again: the already-answered page. And the whole flow on a
phone-sized window (390 x 844), where the page must fit without sideways
scrolling. Screenshots are saved in the output folder (second argument).

Run: test_survey_page_chromium.py PATH/TO/sapa-server [OUTPUT-DIR]
"""

import os
import shutil
import sys
import tempfile
import time
import uuid

from sapaserver import ServerFixture, change, check, customer_change, run_tests

SERVER = sys.argv[1]
OUT = sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()
S = None
TOKEN = None

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None


def new_link(language):
    cust = customer_change(S.branches["A"])
    conv_id = str(uuid.uuid4())
    r = S.push(TOKEN, [cust, change("conversation", conv_id, {
        "customer_id": cust["id"], "branch_id": S.branches["A"], "channel": "whatsapp", "status": "open",
        "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})])
    check(r.status == 200, "conversation pushed", r)
    r = S.request("POST", "/api/v1/survey-links", {"conversation_id": conv_id, "language": language}, token=TOKEN)
    check(r.status == 201, "survey link", r)
    return r.json["url"], conv_id


def responses(conv_id):
    conn = S.db()
    try:
        return conn.execute("SELECT kind, score, comment FROM survey_response WHERE conversation_id = ? "
                            "ORDER BY kind", (conv_id,)).fetchall()
    finally:
        conn.close()


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,%d" % (width, height), "--lang=en-US"):
        options.add_argument(arg)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def submit_and_wait(driver):
    """Sends the form and waits for the answer page (the machine may be busy)."""
    submit = driver.find_element(By.CSS_SELECTOR, "button[type=submit]")
    driver.execute_script("arguments[0].scrollIntoView()", submit)
    submit.click()
    WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "section.message")))


def shot(driver, name):
    path = os.path.join(OUT, "survey-page-%s.png" % name)
    driver.save_screenshot(path)
    print("# screenshot: %s" % path)


def test_answer_then_refused():
    url, conv_id = new_link("en")
    driver = browser(1280, 900)
    try:
        driver.get(url)
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "page in English")
        check("How did we do?" in driver.title, "title", driver.title)
        shot(driver, "form")
        # A tap on the face (the label) chooses the score.
        driver.find_element(By.XPATH, "//input[@name='csat' and @value='4']/ancestor::label").click()
        check(driver.find_element(By.CSS_SELECTOR, "input[name=csat][value='4']").is_selected(), "4 chosen")
        driver.find_element(By.XPATH, "//input[@name='nps' and @value='8']/ancestor::label").click()
        driver.find_element(By.ID, "comment").send_keys("Terima kasih <3")
        submit_and_wait(driver)
        heading = driver.find_element(By.TAG_NAME, "h1").text
        check(heading == "Thank you for your answers", "the thank-you page", heading)
        shot(driver, "thanks")
        check(responses(conv_id) == [("csat", 4, "Terima kasih <3"), ("nps", 8, None)], "stored",
              responses(conv_id))

        # Opening the link again.
        driver.get(url)
        heading = driver.find_element(By.TAG_NAME, "h1").text
        check(heading == "You have already answered, thank you", "the already-answered page", heading)
        shot(driver, "used")
    finally:
        driver.quit()


def test_language_switch_and_required():
    url, conv_id = new_link("id")
    driver = browser(1280, 900)
    try:
        driver.get(url)
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id", "page in Indonesian")
        driver.find_element(By.CSS_SELECTOR, "a[hreflang=en]").click()
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        check("How satisfied are you" in driver.page_source, "switched to English")
        # Sending without the required question: the browser holds the form back.
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        time.sleep(0.5)
        check(driver.find_elements(By.CSS_SELECTOR, "input[name=csat]"), "still on the form")
        check(responses(conv_id) == [], "nothing stored")
    finally:
        driver.quit()


def test_phone():
    url, conv_id = new_link("id")
    driver = browser(390, 844)
    try:
        driver.set_window_size(390, 844)
        driver.get(url)
        width = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        check(scroll <= width, "no sideways scrolling on a phone", width, scroll)
        label = driver.find_element(By.XPATH, "//input[@name='csat' and @value='5']/ancestor::label")
        check(label.size["height"] >= 44, "touch targets at least 44 px high", label.size)
        shot(driver, "phone")
        label.click()
        driver.find_element(By.XPATH, "//input[@name='ces' and @value='7']/ancestor::label").click()
        submit_and_wait(driver)
        check(driver.find_element(By.CSS_SELECTOR, "section.done"), "the thank-you page")
        shot(driver, "phone-thanks")
        check(responses(conv_id) == [("ces", 7, None), ("csat", 5, None)], "stored", responses(conv_id))
    finally:
        driver.quit()


def main():
    global S, TOKEN
    if webdriver is None or not shutil.which("chromedriver"):
        print("1..0 # SKIP needs chromium, chromium-driver and python3-selenium")
        return 0
    os.makedirs(OUT, exist_ok=True)
    with ServerFixture(SERVER, "sapa-survey-web") as server:
        S = server
        TOKEN = S.sign_in("agent_a")
        return run_tests([
            ("answer in the browser; the second visit is refused", test_answer_then_refused),
            ("language switch; the required question", test_language_switch_and_required),
            ("on a phone-sized window", test_phone),
        ])


if __name__ == "__main__":
    sys.exit(main())
