/* Forewarn: a caution where the risk is taken (docs/guard.md).
 *
 * The notice block loads this file only when a notice the reader got has a guard text. Everything
 * it needs travels in the block's data-forewarn-guard attribute: the cautions (per kind of control:
 * share, comment, contact), the dialog's words and the site's guard_selectors. It puts the caution
 * beside the controls marked data-forewarn-guard="share|comment|contact" or matching those
 * selectors, and on the first activation of each kind asks once, with a native <dialog>; after
 * "Continue" the action goes through, and later ones of that kind on this page go straight through.
 *
 * It makes no request, sets no cookie, stores nothing, never changes a link's target and never
 * blocks a control for good. No inline code or style: a strict Content-Security-Policy needs only
 * script-src 'self'. Without JavaScript the page and the block are as they are.
 */
(function () {
  "use strict";

  var KINDS = ["share", "comment", "contact"];
  var ACTIVATORS = "a[href], area[href], button, input[type=submit], input[type=image], " +
    "input[type=button], [role=button], [role=link]";
  var OURS = ".forewarn-caution, .forewarn-dialog";

  var script = document.currentScript;
  var block = (script && script.closest("aside.forewarn[data-forewarn-guard]")) ||
    document.querySelector("aside.forewarn[data-forewarn-guard]");
  if (!block || block.forewarnGuarded) {
    return;
  }
  block.forewarnGuarded = true;  // a property, not an attribute: the block stays as served

  var data;
  try {
    data = JSON.parse(block.getAttribute("data-forewarn-guard"));
  } catch (error) {
    return;
  }
  var cautions = data.cautions || {};
  var words = data.words || {};
  var kinds = KINDS.filter(function (kind) {
    return cautions[kind] && cautions[kind].length;
  });
  if (!kinds.length) {
    return;
  }

  // kind -> one selector list; a selector the browser cannot parse is left out, not fatal
  var selectors = {};
  kinds.forEach(function (kind) {
    var list = ['[data-forewarn-guard="' + kind + '"]'];
    ((data.selectors || {})[kind] || []).forEach(function (selector) {
      try {
        document.createDocumentFragment().querySelector(selector);
        list.push(selector);
      } catch (error) {
        // not a selector this browser knows
      }
    });
    selectors[kind] = list.join(", ");
  });
  var anyKind = kinds.map(function (kind) { return selectors[kind]; }).join(", ");

  var confirmed = {};  // kind -> true once the reader chose Continue (this page only)
  var dialogs = {};
  var placed = {};  // kind -> WeakMap(group element -> its caution)
  var count = 0;
  kinds.forEach(function (kind) { placed[kind] = new WeakMap(); });

  function kindOf(element) {
    var marked = element.getAttribute("data-forewarn-guard");
    if (kinds.indexOf(marked) >= 0) {
      return marked;
    }
    for (var i = 0; i < kinds.length; i += 1) {
      if (element.matches(selectors[kinds[i]])) {
        return kinds[i];
      }
    }
    return null;
  }

  /* The guarded element an element belongs to, and its kind; null outside any, or inside the
     notice block or our own caution and dialog. */
  function guardOf(element) {
    if (!(element instanceof Element) || block.contains(element) || element.closest(OURS)) {
      return null;
    }
    var guarded = element.closest(anyKind);
    var kind = guarded && kindOf(guarded);
    return kind ? {element: guarded, kind: kind} : null;
  }

  function wordsIn(lang) {
    return words[lang] || words[Object.keys(words)[0]] || {};
  }

  /* The cautions of ``kind`` into ``into``: the text itself when there is one, else one span
     per notice's sentence, each with its own language and direction. */
  function sentences(kind, into) {
    into.lang = cautions[kind][0].lang;
    into.dir = cautions[kind][0].dir;
    if (cautions[kind].length === 1) {
      into.textContent = cautions[kind][0].text;
      return into;
    }
    cautions[kind].forEach(function (caution, index) {
      var span = document.createElement("span");
      span.lang = caution.lang;
      span.dir = caution.dir;
      span.textContent = caution.text;
      if (index) {
        into.appendChild(document.createTextNode(" "));
      }
      into.appendChild(span);
    });
    return into;
  }

  function describedBy(control, id) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) < 0) {
      control.setAttribute("aria-describedby", ids.concat(id).join(" "));
    }
  }

  /* Where the caution of a control goes: a form gets it first inside; a control in a list item
     goes with its list (one caution after a row of share buttons); others right after the
     control, one per run of siblings (after the last of them). */
  function slotOf(element) {
    if (element.tagName === "FORM") {
      return {group: element, after: null};
    }
    var item = element.parentElement && element.parentElement.closest("li");
    var list = item && item.contains(element) && item.parentElement;
    if (list && (item === element.parentElement || item === element.parentElement.parentElement)) {
      return {group: list.parentElement || list, after: list};
    }
    return {group: element.parentElement || element, after: element};
  }

  /* A caution of this kind right before the control (or before the small wrapper it starts,
     such as a like button's form): that one serves it too, rather than a second in a row. */
  function cautionBefore(element, kind) {
    for (var node = element, depth = 0; node && depth < 3; node = node.parentElement, depth += 1) {
      var before = node.previousElementSibling;
      if (before) {
        return before.classList.contains("forewarn-caution-" + kind) ? before : null;
      }
    }
    return null;
  }

  function scan() {
    kinds.forEach(function (kind) {
      var groups = new Map();
      document.querySelectorAll(selectors[kind]).forEach(function (element) {
        var found = guardOf(element);
        if (!found || found.element !== element || found.kind !== kind) {
          return;
        }
        var slot = slotOf(element);
        var group = groups.get(slot.group) || {after: null, form: null, controls: []};
        if (slot.after) {
          group.after = slot.after;  // document order: the last one wins
        } else {
          group.form = element;
        }
        group.controls.push(element);
        groups.set(slot.group, group);
      });
      groups.forEach(function (group, key) {
        var caution = placed[kind].get(key) || (group.after && cautionBefore(group.after, kind));
        if (!caution) {
          caution = sentences(kind, document.createElement("span"));
          caution.className = "forewarn-caution forewarn-caution-" + kind;
          caution.id = "forewarn-caution-" + kind + "-" + (count += 1);
          caution.setAttribute("role", "note");
          if (group.form) {
            group.form.insertBefore(caution, group.form.firstChild);
          } else {
            group.after.insertAdjacentElement("afterend", caution);
          }
          placed[kind].set(key, caution);
        }
        group.controls.forEach(function (control) {
          var targets = control.tagName === "FORM" ?
            Array.prototype.filter.call(control.elements, isSubmit) : [control];
          targets.forEach(function (target) { describedBy(target, caution.id); });
        });
      });
    });
  }

  function isSubmit(control) {
    var type = (control.getAttribute("type") || "").toLowerCase();
    return (control.tagName === "BUTTON" && (type === "" || type === "submit")) ||
      (control.tagName === "INPUT" && (type === "submit" || type === "image"));
  }

  function dialogFor(kind) {
    if (dialogs[kind]) {
      return dialogs[kind];
    }
    var said = wordsIn(cautions[kind][0].lang);
    var dialog = document.createElement("dialog");
    var id = "forewarn-dialog-" + kind;
    dialog.className = "forewarn-dialog";
    dialog.lang = cautions[kind][0].lang;
    dialog.dir = cautions[kind][0].dir;
    var title = document.createElement("h2");
    title.className = "forewarn-dialog-title";
    title.id = id + "-title";
    title.textContent = said.title || "";
    var text = sentences(kind, document.createElement("p"));
    text.className = "forewarn-dialog-text";
    text.id = id + "-text";
    var question = document.createElement("p");
    question.className = "forewarn-dialog-question";
    question.id = id + "-question";
    question.textContent = said[kind] || "";
    var actions = document.createElement("div");
    actions.className = "forewarn-dialog-actions";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "forewarn-dialog-cancel";
    cancel.textContent = said.cancel || "Cancel";
    cancel.autofocus = true;  // the safe choice has the focus
    var go = document.createElement("button");
    go.type = "button";
    go.className = "forewarn-dialog-confirm";
    go.textContent = said.confirm || "Continue";
    cancel.addEventListener("click", function () { dialog.close("cancel"); });
    go.addEventListener("click", function () { dialog.close("confirm"); });
    actions.appendChild(cancel);
    actions.appendChild(go);
    dialog.setAttribute("aria-labelledby", title.id);
    dialog.setAttribute("aria-describedby", text.id + " " + question.id);
    dialog.appendChild(title);
    dialog.appendChild(text);
    dialog.appendChild(question);
    dialog.appendChild(actions);
    dialog.addEventListener("close", function () {
      if (dialog.open) {
        // The event of an earlier closing, delivered after the dialog was shown again (a
        // reader quick on the keys, a busy machine): the question now open is not answered.
        return;
      }
      var then = dialog.forewarnThen;
      dialog.forewarnThen = null;
      if (dialog.returnValue === "confirm" && then) {
        confirmed[kind] = true;
        then();
      }
    });
    document.body.appendChild(dialog);
    dialogs[kind] = dialog;
    return dialog;
  }

  /* Ask once; ``then`` lets the action through. Without <dialog>, the browser's own confirm; if
     asking fails, the action goes through (a caution must never break the page). */
  function ask(kind, then) {
    try {
      askWith(kind, then);
    } catch (error) {
      confirmed[kind] = true;
      then();
    }
  }

  function askWith(kind, then) {
    if (typeof HTMLDialogElement !== "function") {
      var said = wordsIn(cautions[kind][0].lang);
      var text = cautions[kind].map(function (caution) { return caution.text; }).join(" ");
      if (window.confirm(text + "\n\n" + (said[kind] || ""))) {
        confirmed[kind] = true;
        then();
      }
      return;
    }
    var dialog = dialogFor(kind);
    if (dialog.open) {
      return;
    }
    if (!dialog.isConnected) {
      document.body.appendChild(dialog);  // the page built its body anew since
    }
    dialog.returnValue = "";
    dialog.forewarnThen = then;
    dialog.showModal();
  }

  function stop(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Capturing on the document: before the page's own handlers (share widgets open pop-ups from
  // theirs), which then run, once, when the action goes through.
  document.addEventListener("click", function (event) {
    var control = event.target instanceof Element && event.target.closest(ACTIVATORS);
    var found = control && guardOf(control);
    if (!found || confirmed[found.kind]) {
      return;
    }
    if (found.element.tagName === "FORM" && !(isSubmit(control) && control.form === found.element)) {
      return;  // inside a guarded form only sending it is the risk
    }
    stop(event);
    ask(found.kind, function () { control.click(); });
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var found = guardOf(form);
    if (!found || confirmed[found.kind]) {
      return;
    }
    stop(event);
    var submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
    ask(found.kind, function () {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter);
      } else {
        form.submit();
      }
    });
  }, true);

  scan();
  // Share buttons that widgets add later get their caution too; so do those of a body, or a
  // whole <html>, the page's script builds anew (React 18 after a hydration difference): the
  // document is watched, not the body this script was loaded in.
  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.setTimeout(function () { pending = false; scan(); }, 50);
    }
  }).observe(document, {childList: true, subtree: true});
}());
