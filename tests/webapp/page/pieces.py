"""Pieces of markup that generated pages are built from: each kind of token the placement has to
tell apart before and at the start of the body (text, character references, comments with their
odd endings, bogus comments, DOCTYPEs, the head's elements, RCDATA, RAWTEXT, script data in its
escaped and double-escaped states, PLAINTEXT, templates, foreign content, framesets) and near
misses of each."""

from __future__ import annotations

from hypothesis import strategies as st

HEAD_PIECES = [
    # text and character references
    " ", "\n", "\t", "x", "&#32;", "&#x20;", "&#10", "&Tab;", "&amp;", "&#0;", "&", "\x00",
    # comments, bogus comments, DOCTYPEs
    "<!-- c -->", "<!-->", "<!--->", "<!-- a --!>", "<!--", "-->", "<?x ?>", "<!x>", "</ x>",
    "</>", "<!DOCTYPE html>", "<![CDATA[ x ]]>", "<", ">", "'", '"',
    # the document's own structure
    "<html lang=ru>", "<html>", "<head>", "</head>", "<body>", "<BODY class='>'>", "</body>",
    "</html>", "</br>", "</p>", "<frameset>", "</frameset>", "<frame>",
    # the head's elements
    "<meta charset=utf-8>", "<meta name=x content=y>", "<link rel=x href=/a>", "<base href=/>",
    "<title>", "</title>", "<style>", "</style>", "<noframes>", "</noframes>",
    "<noscript>", "</noscript>", "<script>", "</script>", "<script type=module>", "</SCRIPT >",
    # tags the head does not take
    "<div>", "</div>", "<a href=x>", "</a>", "<p>", "<span>", "<img src=x>", "<br>",
    "<input type=hidden>", "<input>", "<textarea>", "</textarea>", "<xmp>", "</xmp>",
    "<iframe>", "</iframe>", "<noembed>", "</noembed>", "<plaintext>", "<table>", "<select>",
    "<li>", "<pre>", "<svg>", "</svg>", "<svg/>", "<math>", "</math>", "<foreignObject>",
    "</foreignObject>", "<desc>", "<mi>", "<b>", "<font color=red>",
    # templates
    "<template>", "</template>", "<TEMPLATE>", "<col>", "<tr>",
    # what may be inside raw text
    "<body class=inside>", "<!--<script>", "</script>x", "-->", "<script >", "<scriptx>",
]
BODY_PIECES = ["<p>article</p>", "<div class=a>", "</div>", "text", "<!-- forewarn -->",
               "<frameset>", "<h1>t</h1>", " "]


def page_text(head: list[str], body: list[str], tag: bool) -> str:
    return "".join(head) + ("<body>" if tag else "") + "".join(body)


pages = st.builds(page_text, st.lists(st.sampled_from(HEAD_PIECES), max_size=24),
                  st.lists(st.sampled_from(BODY_PIECES), max_size=4), st.booleans())
