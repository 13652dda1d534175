"""Layout that holds from a 390 px phone to a 1600 px screen, in CSS the page injects once.

Streamlit stacks columns only below 640 px; between that and a laptop the side
panel was squeezed to ~170 px ("Sav…") and Compare's one column per text to 81 px.
Columns inside the containers keyed below wrap instead: the workspace's panel
goes under the text below 1100 px, and Compare's texts keep at least 300 px each,
stacking when fewer fit. Buttons never cut their labels.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from . import state

WORKSPACE = "ws_main"  # st.container key around the text and the panel
COMPARE_TEXTS = "cmp_texts"  # st.container keys around Compare's per-text columns
COMPARE_VOCAB = "cmp_vocab"
NARROW = 1100  # px: below this the panel stacks under the text

_CSS = f"""<style>
@media (max-width: {NARROW}px) {{
  .st-key-{WORKSPACE} > div > [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  .st-key-{WORKSPACE} > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    flex: 1 1 100% !important; width: 100% !important; min-width: 100% !important;
  }}
}}
.st-key-{COMPARE_TEXTS} [data-testid="stHorizontalBlock"],
.st-key-{COMPARE_VOCAB} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
.st-key-{COMPARE_TEXTS} [data-testid="stHorizontalBlock"] > [data-testid="stColumn"],
.st-key-{COMPARE_VOCAB} [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
  flex: 1 1 300px !important; min-width: min(300px, 100%) !important;
}}
[data-testid="stBaseButton-primary"] p, [data-testid="stBaseButton-secondary"] p,
[data-testid="stBaseButton-secondaryFormSubmit"] p,
[data-testid="stBaseButton-primaryFormSubmit"] p {{
  white-space: nowrap; overflow: visible; text-overflow: clip;
}}
</style>"""

# Below NARROW px, bring the composer into view when a selection opens it (once per
# selection: the script's text changes with it, so Streamlit runs it again).
_SCROLL = """<script>
(() => {{
  if (window.innerWidth > {narrow}) return;
  const go = () => document.querySelector(".st-key-{composer}")
    ?.scrollIntoView({{behavior: "smooth", block: "start"}});
  setTimeout(go, 150);  // selection {pending}
}})();
</script>"""


def responsive() -> None:
    """The page's layout rules; call once per run, before the columns are drawn."""
    st.html(_CSS, width="content")


def bring_composer_into_view(pending_id: str) -> None:
    """On a narrow screen the composer sits under the text: scroll to it for a new selection."""
    tag = hashlib.sha256(pending_id.encode()).hexdigest()[:16]  # the id came from the browser
    st.html(_SCROLL.format(narrow=NARROW, pending=tag, composer=state.COMPOSER),
            unsafe_allow_javascript=True,
            width="content")
