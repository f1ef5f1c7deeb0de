// The check-in desk's camera: qr-scanner (vendored from npm) reads the ticket QR code, puts its
// content in the code field and submits the form. Without a camera (or permission) the desk
// types the 12-digit code; the form works without this script.
const script = document.currentScript || document.querySelector("script[data-scanner]");
const form = document.querySelector("[data-checkin-form]");

async function setup() {
  if (!form || !script) return;
  const start = form.querySelector("[data-scan-start]");
  const stop = form.querySelector("[data-scan-stop]");
  const video = form.querySelector("[data-scan-video]");
  const message = form.querySelector("[data-scan-message]");
  const field = form.querySelector("#checkin-code");
  let QrScanner;
  try {
    QrScanner = (await import(script.dataset.scanner)).default;
  } catch (error) {
    return;
  }
  if (!(await QrScanner.hasCamera())) {
    message.textContent = script.dataset.noCamera;
    return;
  }
  let scanner = null;
  start.hidden = false;
  start.addEventListener("click", async () => {
    scanner = scanner || new QrScanner(
      video,
      (result) => {
        scanner.stop();
        field.value = result.data || result;
        form.submit();
      },
      { returnDetailedScanResult: true, highlightScanRegion: true },
    );
    try {
      video.hidden = false;
      await scanner.start();
      start.hidden = true;
      stop.hidden = false;
      message.textContent = script.dataset.scanning;
    } catch (error) {
      video.hidden = true;
      message.textContent = script.dataset.cameraDenied;
    }
  });
  stop.addEventListener("click", () => {
    if (scanner) scanner.stop();
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    message.textContent = "";
  });
}

setup();
