// Upload progress for forms marked data-upload-progress: the form is sent by
// XMLHttpRequest so the bar can follow the upload; the answer replaces the page.
// Without JavaScript the form posts as usual.
(function () {
  'use strict';
  document.querySelectorAll('form[data-upload-progress]').forEach(function (form) {
    var bar = form.querySelector('progress.upload');
    if (!bar || !window.FormData || !window.XMLHttpRequest) return;
    form.addEventListener('submit', function (event) {
      var files = form.querySelector('input[type=file]');
      if (!files || !files.files || files.files.length === 0) return; // nothing to follow
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      // getAttribute: a control named "action" inside the form would shadow form.action
      xhr.open('POST', form.getAttribute('action') || window.location.href);
      xhr.setRequestHeader('Accept', 'text/html');
      bar.hidden = false;
      bar.value = 0;
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', function () {
        bar.value = 100;
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', function () {
        bar.hidden = true;
        if (button) button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  });
})();
