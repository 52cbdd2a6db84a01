/* Search suggestions for the home page's search box (progressive enhancement).
 *
 * The form works without this script: it submits to /search. With it, typing
 * asks the JSON API for the best matches and lists them under the box as an
 * ARIA combobox; arrow keys move, Enter opens, Escape closes. Text goes in with
 * textContent only, never as HTML.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest]");
  if (!form) { return; }
  var input = form.querySelector("input[role=combobox]");
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var langField = form.querySelector("input[name=lang]");
  var lang = langField ? langField.value : "zh";
  var endpoint = form.getAttribute("data-suggest");
  var timer = null;
  var active = -1;
  var sequence = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function companyUrl(uscc) {
    return "/enterprises/" + encodeURIComponent(uscc) + "?lang=" + encodeURIComponent(lang);
  }

  function render(items) {
    list.textContent = "";
    active = -1;
    if (!items.length) { close(); return; }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = companyUrl(item.uscc);
      link.tabIndex = -1;
      var badge = document.createElement("span");
      badge.className = "badge " + (item.grade ? "grade-" + item.grade.toLowerCase() : "none");
      badge.textContent = item.grade || "—";
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = item.name;
      link.appendChild(badge);
      link.appendChild(name);
      li.appendChild(link);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function suggest() {
    var q = input.value.trim();
    if (!q || q.length > 200) { close(); return; }
    var mine = ++sequence;
    var url = endpoint + "?limit=8&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) { if (mine === sequence) { render(data.items || []); } })
      .catch(function () { if (mine === sequence) { close(); } });
  }

  function move(step) {
    var options = list.children;
    if (!options.length) { return; }
    if (active >= 0) { options[active].setAttribute("aria-selected", "false"); }
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = list.children[active].querySelector("a").href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) { close(); }
  });
})();
