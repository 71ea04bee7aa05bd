/**
 * The playback bar (the toolbar's "History" toggle opens it): a slider over the last hours, the
 * moment shown as a time of day, play/pause, the speed, and "Back to live". Drives a Playback
 * (playback.js) and follows its changes; owns the DOM inside its element and nothing else.
 *
 * Keyboard: the slider moves 10 s with the arrow keys and 5 minutes with Page Up / Page Down;
 * Escape anywhere in the bar goes back to live. Its words follow the page's language (i18n.js).
 * While shown it sets `has-playback` and `--playback-height` on `<html>` (playback.css).
 */

import {element, setText} from './dom.js';
import {i18n as sharedI18n} from './i18n.js';
import {SPEEDS} from './playback.js';
import {formatServiceTime} from './serviceClock.js';

const SLIDER_STEP_S = 10;
const PAGE_S = 300;

export class PlaybackBar {
	/**
	 * @param {HTMLElement} root the bar's (empty, hidden) element
	 * @param {object} options
	 * @param {import('./playback.js').Playback} options.playback
	 * @param {Function} options.secondsAt `(ms) => seconds|null`: a server time as the service's
	 *   time of day (serviceClock.js)
	 * @param {Function} [options.onLive] `() => void`: "Back to live" (or Escape) was pressed
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 */
	constructor(root, {playback, secondsAt, onLive = () => playback.leave(), i18n = sharedI18n}) {
		this._el = root;
		this._playback = playback;
		this._secondsAt = secondsAt;
		this._onLive = onLive;
		this._i18n = i18n;
		this._build();
		this._label();
		i18n.onChange(() => {
			this._label();
			this._render();
		});
		playback.onChange(() => this._render());
		// On phones the map's own bottom controls are lifted above the bar (playback.css).
		this._resize = globalThis.ResizeObserver ? new ResizeObserver(() => this._measure()) : null;
		this._resize?.observe(root);
		this._render();
	}

	_measure() {
		const root = document.documentElement;
		root.style.setProperty('--playback-height', `${this._el.hidden ? 0 : this._el.offsetHeight}px`);
		root.classList.toggle('has-playback', !this._el.hidden);
	}

	/** The slider (focused when the bar opens). */
	get slider() {
		return this._slider;
	}

	/** The moment shown, as the bar writes it ('' outside playback). */
	get timeText() {
		return this._time.textContent;
	}

	_build() {
		const el = this._el;
		el.classList.add('playback');
		el.setAttribute('role', 'region');
		this._play = element('button', 'playback__button playback__play');
		this._play.type = 'button';
		this._play.setAttribute('aria-pressed', 'false');
		this._play.addEventListener('click', () => {
			if (this._playback.playing) { this._playback.pause(); } else { this._playback.play(); }
		});

		this._sliderLabel = element('label', 'visually-hidden');
		this._sliderLabel.htmlFor = 'playback-slider';
		this._slider = element('input', 'playback__slider');
		this._slider.type = 'range';
		this._slider.id = 'playback-slider';
		this._slider.step = String(SLIDER_STEP_S);
		this._slider.addEventListener('input', () => this._playback.seek(Number(this._slider.value) * 1000));
		this._slider.addEventListener('keydown', (e) => {
			const sign = {PageUp: 1, PageDown: -1}[e.key];
			if (!sign) { return; }
			e.preventDefault();
			this._playback.seek(this._playback.at + sign * PAGE_S * 1000);
		});
		this._time = element('output', 'playback__time');
		this._time.htmlFor = 'playback-slider';

		const speed = element('label', 'playback__speed');
		this._speedLabel = element('span', 'playback__speed-label');
		this._speed = element('select', 'playback__select');
		for (const value of SPEEDS) {
			const option = document.createElement('option');
			option.value = String(value);
			this._speed.append(option);
		}
		this._speed.addEventListener('change', () => this._playback.setSpeed(Number(this._speed.value)));
		speed.append(this._speedLabel, this._speed);

		this._live = element('button', 'playback__button playback__live');
		this._live.type = 'button';
		this._live.addEventListener('click', () => this._onLive());

		const moment = element('div', 'playback__moment');
		moment.append(this._sliderLabel, this._slider, this._time);
		const controls = element('div', 'playback__controls');
		controls.append(this._play, speed, this._live);
		el.append(moment, controls);
		el.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.stopPropagation();
				this._onLive();
			}
		});
		// The map beneath must not pan or zoom with gestures on the bar.
		for (const type of ['mousedown', 'dblclick', 'wheel', 'touchstart', 'pointerdown', 'contextmenu']) {
			el.addEventListener(type, (e) => e.stopPropagation(), {passive: true});
		}
	}

	/** The moment `ms` as the service's time of day, "HH:MM:SS" in the language's digits. */
	_moment(ms) {
		const seconds = this._secondsAt(ms);
		return seconds === null ? '' : this._i18n.digits(formatServiceTime(seconds));
	}

	_label() {
		const t = (key, params) => this._i18n.t(key, params);
		this._el.setAttribute('aria-label', t('playbackLabel'));
		this._sliderLabel.textContent = t('playbackSlider');
		this._speedLabel.textContent = t('playbackSpeed');
		for (const option of this._speed.options) {
			option.textContent = t('playbackSpeedValue', {speed: Number(option.value)});
		}
		setText(this._live, t('playbackLive'));
		this._live.title = t('playbackLiveTitle');
	}

	_render() {
		const p = this._playback;
		if (this._el.hidden === p.active) {
			this._el.hidden = !p.active;
			this._measure();
		}
		if (!p.active) {
			setText(this._time, '');
			return;
		}
		const t = (key) => this._i18n.t(key);
		const {min, max} = p.range();
		// Whole steps from the oldest moment, so that the arrow keys land on round times.
		const low = Math.ceil(min / 1000 / SLIDER_STEP_S) * SLIDER_STEP_S;
		this._slider.min = String(low);
		this._slider.max = String(Math.floor(max / 1000));
		this._slider.value = String(Math.round(p.at / 1000));
		const text = this._moment(p.at);
		this._slider.setAttribute('aria-valuetext', text);
		setText(this._time, text);
		setText(this._play, t(p.playing ? 'playbackPause' : 'playbackPlay'));
		this._play.setAttribute('aria-pressed', String(p.playing));
		this._play.title = t(p.playing ? 'playbackPauseTitle' : 'playbackPlayTitle');
		this._speed.value = String(p.speed);
	}
}
