// The host's screen-pop: the caller's number of a ringing call, shown with textContent.
document.addEventListener('gws:ringing', (event) => {
  const popped = document.getElementById('popped');
  popped.textContent = `Incoming call from ${event.detail.ani}`;
  popped.dataset.ani = event.detail.ani ?? '';
});
