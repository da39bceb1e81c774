// hrmaild console: the only script (served from the daemon, allowed by the CSP as 'self').
// A form's submit button is disabled once sent, so a double click cannot send it twice.
document.addEventListener('submit', function (event) {
  var button = event.target.querySelector('button[type="submit"]');
  if (button) {
    setTimeout(function () { button.disabled = true; }, 0);
  }
});
