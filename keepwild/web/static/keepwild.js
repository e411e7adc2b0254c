// Keyboard shortcuts: a key press clicks the first button marked data-key="<key>", unless
// the moderator is typing in a field or holds a modifier. Everything also works without
// script: the buttons are ordinary form buttons.
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
    return;
  }
  var key = (event.key || "").toLowerCase();
  if (key.length !== 1) { return; }
  var button = document.querySelector('button[data-key="' + key + '"]');
  if (button && !button.disabled) {
    event.preventDefault();
    button.click();
  }
});
