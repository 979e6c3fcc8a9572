// localtime.js words each <time data-local> in the reader's own time zone (the help desk
// agent's, the person's), in the page's language: the server writes the time in UTC, which
// is what a page without scripts shows. It holds no sentence of its own.
(() => {
  const lang = document.documentElement.lang || undefined;
  let fmt;
  try {
    // dateStyle and timeStyle cannot be combined with timeZoneName: the fields one by one.
    fmt = new Intl.DateTimeFormat(lang, {year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric',
      minute: '2-digit', timeZoneName: 'short'});
  } catch (e) {
    return;
  }
  document.querySelectorAll('time[data-local]').forEach((el) => {
    const at = new Date(el.getAttribute('datetime'));
    if (!isNaN(at)) {
      el.textContent = fmt.format(at);
    }
  });
})();
